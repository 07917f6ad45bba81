import * as hdr from 'hdr-histogram-js';
import { z } from 'zod';
import { type DeviceTrafficReport, TRAFFIC_METRICS, type TrafficCounts } from '../network/traffic.js';

/**
 * Per-device distributions of what devices did on their field link (result.json `traffic`):
 * mean and total exact, p50/p99 from an HDR histogram (3 significant digits), max exact. The
 * histogram travels along so shards and workers merge exactly.
 */
export const Dist = z.object({
  mean: z.number(),
  p50: z.number(),
  p99: z.number(),
  max: z.number(),
  total: z.number(),
  /** Devices counted (the distribution's size). */
  count: z.number().int().nonnegative().optional(),
  /** HDR histogram of the per-device values (integers), compressed base64, for exact merges. */
  histogram: z.string().optional(),
});
export type Dist = z.infer<typeof Dist>;

export const TrafficStats = z.object({
  bytesSent: Dist,
  bytesReceived: Dist,
  connections: Dist,
  tlsHandshakes: Dist,
  connectedMs: Dist,
  mqttMessages: Dist,
  mqttBilledUnits: Dist,
});
export type TrafficStats = z.infer<typeof TrafficStats>;

export const ScenarioTraffic = z.object({
  /** Over every device that ended (connected or failed). */
  device: TrafficStats,
  /** Per phase, over the devices that had link activity in it. */
  phases: z.record(z.string(), TrafficStats),
});
export type ScenarioTraffic = z.infer<typeof ScenarioTraffic>;

const BUCKET_SIZE = 64;

function newHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: BUCKET_SIZE,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });
}

/** One metric's values over devices. */
class Distribution {
  private readonly histogram = newHistogram();
  private total = 0;
  private max = 0;

  record(value: number): void {
    const rounded = Math.max(0, Math.round(value));
    this.histogram.recordValue(rounded);
    this.total += value;
    if (value > this.max) this.max = value;
  }

  merge(dist: Dist): void {
    if (!dist.histogram || !dist.count) return;
    const decoded = hdr.decodeFromCompressedBase64(dist.histogram, BUCKET_SIZE, false);
    this.histogram.add(decoded);
    this.total += dist.total;
    if (dist.max > this.max) this.max = dist.max;
  }

  toDist(): Dist {
    const count = this.histogram.totalCount;
    if (count === 0) return { mean: 0, p50: 0, p99: 0, max: 0, total: 0, count: 0 };
    return {
      mean: this.total / count,
      // HDR answers a bucket's highest value: never above the exact maximum.
      p50: Math.min(this.histogram.getValueAtPercentile(50), this.max),
      p99: Math.min(this.histogram.getValueAtPercentile(99), this.max),
      max: this.max,
      total: this.total,
      count,
      histogram: hdr.encodeIntoCompressedBase64(this.histogram),
    };
  }
}

class StatsBuilder {
  private readonly metrics = new Map(TRAFFIC_METRICS.map((metric) => [metric, new Distribution()]));

  record(counts: TrafficCounts): void {
    for (const metric of TRAFFIC_METRICS) this.metrics.get(metric)?.record(counts[metric]);
  }

  merge(stats: TrafficStats): void {
    for (const metric of TRAFFIC_METRICS) this.metrics.get(metric)?.merge(stats[metric]);
  }

  build(): TrafficStats {
    const dist = (metric: (typeof TRAFFIC_METRICS)[number]) =>
      (this.metrics.get(metric) as Distribution).toDist();
    return {
      bytesSent: dist('bytesSent'),
      bytesReceived: dist('bytesReceived'),
      connections: dist('connections'),
      tlsHandshakes: dist('tlsHandshakes'),
      connectedMs: dist('connectedMs'),
      mqttMessages: dist('mqttMessages'),
      mqttBilledUnits: dist('mqttBilledUnits'),
    };
  }
}

/** Collects devices' traffic reports (one thread), and merges collected traffic (threads, shards). */
export class TrafficRecorder {
  private readonly device = new StatsBuilder();
  private readonly phases = new Map<string, StatsBuilder>();

  private phase(name: string): StatsBuilder {
    let builder = this.phases.get(name);
    if (!builder) {
      builder = new StatsBuilder();
      this.phases.set(name, builder);
    }
    return builder;
  }

  record(report: DeviceTrafficReport): void {
    this.device.record(report.device);
    for (const [name, counts] of Object.entries(report.phases)) this.phase(name).record(counts);
  }

  merge(traffic: ScenarioTraffic): void {
    this.device.merge(traffic.device);
    for (const [name, stats] of Object.entries(traffic.phases)) this.phase(name).merge(stats);
  }

  build(): ScenarioTraffic {
    return {
      device: this.device.build(),
      phases: Object.fromEntries(
        [...this.phases.keys()].sort().map((name) => [name, (this.phases.get(name) as StatsBuilder).build()]),
      ),
    };
  }
}

/** Merges traffic blocks of workers or shards exactly; undefined when none has one. */
export function mergeTraffic(parts: readonly (ScenarioTraffic | undefined)[]): ScenarioTraffic | undefined {
  const present = parts.filter((part): part is ScenarioTraffic => part !== undefined);
  if (present.length === 0) return undefined;
  const recorder = new TrafficRecorder();
  for (const part of present) recorder.merge(part);
  return recorder.build();
}
