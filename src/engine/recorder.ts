import { LatencyHistogram, mergeEncoded } from '../metrics/histogram.js';
import type { EncodedHistogram, ErrorClass } from '../metrics/result-schema.js';
import {
  type ApiCallTally,
  addCounts,
  type ErrorTally,
  mergeApiCalls,
  mergeErrorTallies,
  mergeSeries,
  type SeriesSecond,
} from '../metrics/tallies.js';
import { mergeTraffic, type ScenarioTraffic, TrafficRecorder } from '../metrics/traffic-stats.js';
import type { DeviceTrafficReport } from '../network/traffic.js';

/**
 * Everything one thread measured for one scenario, as plain data (it crosses worker
 * boundaries and shard files): histograms encoded, counts summed on merge.
 */
export interface MetricsSnapshot {
  phases: Record<string, { histogram: EncodedHistogram; errors: Record<string, number> }>;
  timeToConnected: EncodedHistogram;
  series: SeriesSecond[];
  errors: ErrorTally[];
  apiCalls: Record<string, ApiCallTally>;
  setupApiCalls: Record<string, ApiCallTally>;
  devices: { started: number; succeeded: number; failed: number };
  /** Epoch ms of the first device start and the last device end (null: no device ran). */
  firstStartMs: number | null;
  lastEndMs: number | null;
  /** Devices' field-link traffic; absent when no device reported any. */
  traffic?: ScenarioTraffic;
}

/** What a device's lifecycle and context record into: a thread's recorder, or a device tape over it. */
export type DeviceRecorder = Pick<
  MetricsRecorder,
  'deviceStarted' | 'deviceSucceeded' | 'deviceFailed' | 'deviceTraffic' | 'phaseTime' | 'phaseError'
>;

interface PhaseTally {
  histogram: LatencyHistogram;
  errors: Record<string, number>;
}

/** Collects one thread's measurements; `snapshot()` hands them over as MetricsSnapshot. */
export class MetricsRecorder {
  private readonly phases = new Map<string, PhaseTally>();
  private readonly timeToConnected = LatencyHistogram.create();
  private readonly series = new Map<number, SeriesSecond>();
  private readonly errors = new Map<string, ErrorTally>();
  private readonly devices = { started: 0, succeeded: 0, failed: 0 };
  private firstStartMs: number | null = null;
  private lastEndMs: number | null = null;
  private traffic: TrafficRecorder | null = null;

  /** @param originMs epoch ms that series second 0 starts at (the scenario's start). */
  constructor(private readonly originMs: number) {}

  private second(atMs: number): SeriesSecond {
    const second = Math.max(0, Math.floor((atMs - this.originMs) / 1000));
    let point = this.series.get(second);
    if (!point) {
      point = { second, started: 0, succeeded: 0, failed: 0, errors: {} };
      this.series.set(second, point);
    }
    return point;
  }

  private phase(name: string): PhaseTally {
    let tally = this.phases.get(name);
    if (!tally) {
      tally = { histogram: LatencyHistogram.create(), errors: {} };
      this.phases.set(name, tally);
    }
    return tally;
  }

  deviceStarted(atMs: number): void {
    this.devices.started++;
    this.second(atMs).started++;
    if (this.firstStartMs === null || atMs < this.firstStartMs) this.firstStartMs = atMs;
  }

  deviceSucceeded(atMs: number, timeToConnectedMs: number): void {
    this.devices.succeeded++;
    this.second(atMs).succeeded++;
    this.timeToConnected.recordMillis(Math.max(0, timeToConnectedMs));
    this.ended(atMs);
  }

  deviceFailed(atMs: number, errorClass: ErrorClass): void {
    this.devices.failed++;
    const point = this.second(atMs);
    point.failed++;
    point.errors[errorClass] = (point.errors[errorClass] ?? 0) + 1;
    this.ended(atMs);
  }

  private ended(atMs: number): void {
    if (this.lastEndMs === null || atMs > this.lastEndMs) this.lastEndMs = atMs;
  }

  /** One device's field-link traffic, once its lifecycle ended (connected or failed). */
  deviceTraffic(report: DeviceTrafficReport): void {
    this.traffic ??= new TrafficRecorder();
    this.traffic.record(report);
  }

  phaseTime(name: string, durationMs: number): void {
    this.phase(name).histogram.recordMillis(Math.max(0, durationMs));
  }

  phaseError(name: string, errorClass: ErrorClass, sample: string): void {
    const tally = this.phase(name);
    tally.errors[errorClass] = (tally.errors[errorClass] ?? 0) + 1;
    const key = `${name}\0${errorClass}`;
    const existing = this.errors.get(key);
    if (existing) existing.count++;
    else this.errors.set(key, { phase: name, errorClass, count: 1, sample });
  }

  snapshot(
    apiCalls: Record<string, ApiCallTally>,
    setupApiCalls: Record<string, ApiCallTally> = {},
  ): MetricsSnapshot {
    return {
      phases: Object.fromEntries(
        [...this.phases].map(([name, tally]) => [
          name,
          { histogram: tally.histogram.encode(), errors: { ...tally.errors } },
        ]),
      ),
      timeToConnected: this.timeToConnected.encode(),
      series: [...this.series.values()].sort((a, b) => a.second - b.second),
      errors: [...this.errors.values()],
      apiCalls,
      setupApiCalls,
      devices: { ...this.devices },
      firstStartMs: this.firstStartMs,
      lastEndMs: this.lastEndMs,
      ...(this.traffic ? { traffic: this.traffic.build() } : {}),
    };
  }
}

/** Merges snapshots from workers (and the main thread) into one: exact for counts and histograms. */
export function mergeSnapshots(parts: readonly MetricsSnapshot[]): MetricsSnapshot {
  const phaseNames = new Set(parts.flatMap((part) => Object.keys(part.phases)));
  const phases: MetricsSnapshot['phases'] = {};
  for (const name of [...phaseNames].sort()) {
    const present = parts.flatMap((part) => (part.phases[name] ? [part.phases[name]] : []));
    const errors: Record<string, number> = {};
    for (const phase of present) addCounts(errors, phase.errors);
    phases[name] = { histogram: mergeEncoded(present.map((phase) => phase.histogram)), errors };
  }
  const starts = parts.flatMap((part) => (part.firstStartMs === null ? [] : [part.firstStartMs]));
  const ends = parts.flatMap((part) => (part.lastEndMs === null ? [] : [part.lastEndMs]));
  const traffic = mergeTraffic(parts.map((part) => part.traffic));
  return {
    phases,
    timeToConnected: mergeEncoded(parts.map((part) => part.timeToConnected)),
    series: mergeSeries(parts.map((part) => part.series)),
    errors: mergeErrorTallies(parts.map((part) => part.errors)),
    apiCalls: parts.reduce(
      (into, part) => mergeApiCalls(into, part.apiCalls),
      {} as Record<string, ApiCallTally>,
    ),
    setupApiCalls: parts.reduce(
      (into, part) => mergeApiCalls(into, part.setupApiCalls),
      {} as Record<string, ApiCallTally>,
    ),
    devices: {
      started: parts.reduce((sum, part) => sum + part.devices.started, 0),
      succeeded: parts.reduce((sum, part) => sum + part.devices.succeeded, 0),
      failed: parts.reduce((sum, part) => sum + part.devices.failed, 0),
    },
    firstStartMs: starts.length ? Math.min(...starts) : null,
    lastEndMs: ends.length ? Math.max(...ends) : null,
    ...(traffic ? { traffic } : {}),
  };
}
