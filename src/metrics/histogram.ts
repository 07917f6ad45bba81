import type { Histogram } from 'hdr-histogram-js';
import * as hdr from 'hdr-histogram-js';
import type { EncodedHistogram } from './result-schema.js';

/**
 * Latency histograms in microseconds (HDR, 3 significant digits), backed by hdr-histogram-js's
 * pure JavaScript implementation: it needs no WebAssembly initialisation, so it behaves the
 * same in the main thread, worker threads and vitest forks. Counts are 64-bit floats so
 * coordinated-omission correction and shard merges cannot overflow.
 */
const BUCKET_SIZE = 64;
const SIGNIFICANT_DIGITS = 3;

/** Percentiles drawn in a latency curve: dense near the tail, like HdrHistogram's plots. */
export const CURVE_PERCENTILES = [
  0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96.25, 97.5, 98.4375, 99, 99.5, 99.75, 99.9, 99.95,
  99.99, 99.999, 100,
] as const;

export interface PercentilePoint {
  percentile: number;
  valueMs: number;
}

export class LatencyHistogram {
  private constructor(private readonly hdrHistogram: Histogram) {}

  static create(): LatencyHistogram {
    return new LatencyHistogram(
      hdr.build({
        bitBucketSize: BUCKET_SIZE,
        numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
        autoResize: true,
        useWebAssembly: false,
      }),
    );
  }

  /** Rebuilds a histogram written by `encode()` (result.json `EncodedHistogram`). */
  static decode(encoded: EncodedHistogram): LatencyHistogram {
    if (encoded.unit !== 'us') {
      throw new Error(`histogram unit is ${String(encoded.unit)}, expected "us"; regenerate the result`);
    }
    let decoded: Histogram;
    try {
      decoded = hdr.decodeFromCompressedBase64(encoded.encoded, BUCKET_SIZE, false);
    } catch (error) {
      throw new Error(
        `histogram is not HDR compressed base64 (${(error as Error).message}); regenerate the result`,
      );
    }
    decoded.autoResize = true;
    if (decoded.totalCount !== encoded.count) {
      throw new Error(
        `histogram holds ${decoded.totalCount} values but says count=${encoded.count}; the result is corrupt`,
      );
    }
    return new LatencyHistogram(decoded);
  }

  /** Merges many histograms into a new one (HDR merge: exact, order independent). */
  static mergeAll(histograms: Iterable<LatencyHistogram>): LatencyHistogram {
    const merged = LatencyHistogram.create();
    for (const histogram of histograms) merged.merge(histogram);
    return merged;
  }

  /**
   * Records one latency. For open-model (arrival-rate) runs pass the intended interval between
   * starts: a value longer than that interval also records the samples the stall held back
   * (coordinated-omission correction at recording time).
   */
  recordMicros(latencyUs: number, expectedIntervalUs = 0): void {
    if (!Number.isFinite(latencyUs) || latencyUs < 0) {
      throw new Error(`latency must be a finite, non-negative number of microseconds, got ${latencyUs}`);
    }
    const value = Math.round(latencyUs);
    const interval = Math.round(expectedIntervalUs);
    if (interval > 0) this.hdrHistogram.recordValueWithExpectedInterval(value, interval);
    else this.hdrHistogram.recordValue(value);
  }

  recordMillis(latencyMs: number, expectedIntervalMs = 0): void {
    this.recordMicros(latencyMs * 1000, expectedIntervalMs * 1000);
  }

  /** Adds `other`'s values into this histogram. */
  merge(other: LatencyHistogram): void {
    this.hdrHistogram.add(other.hdrHistogram);
  }

  get count(): number {
    return this.hdrHistogram.totalCount;
  }

  /** Value at `percentile` (0..100) in milliseconds; 0 when empty. */
  percentileMs(percentile: number): number {
    if (percentile < 0 || percentile > 100) throw new Error(`percentile must be 0..100, got ${percentile}`);
    if (this.count === 0) return 0;
    return this.hdrHistogram.getValueAtPercentile(percentile) / 1000;
  }

  /** Highest recorded value, at histogram resolution (identical before and after encoding). */
  get maxMs(): number {
    return this.percentileMs(100);
  }

  get minMs(): number {
    return this.count === 0 ? 0 : this.hdrHistogram.minNonZeroValue / 1000;
  }

  get meanMs(): number {
    return this.count === 0 ? 0 : this.hdrHistogram.mean / 1000;
  }

  /** The four figures the `summary` block carries (docs/design.md, result.json). */
  summaryMs(): { p50: number; p90: number; p99: number; max: number } {
    return {
      p50: this.percentileMs(50),
      p90: this.percentileMs(90),
      p99: this.percentileMs(99),
      max: this.maxMs,
    };
  }

  /** Percentile curve for charts (see CURVE_PERCENTILES). */
  curve(percentiles: readonly number[] = CURVE_PERCENTILES): PercentilePoint[] {
    return percentiles.map((percentile) => ({ percentile, valueMs: this.percentileMs(percentile) }));
  }

  encode(): EncodedHistogram {
    return {
      unit: 'us',
      encoded: hdr.encodeIntoCompressedBase64(this.hdrHistogram),
      count: this.count,
    };
  }
}

/** Merges encoded histograms (e.g. the same phase from several shards) into one encoded histogram. */
export function mergeEncoded(histograms: Iterable<EncodedHistogram>): EncodedHistogram {
  const decoded = [...histograms].map((encoded) => LatencyHistogram.decode(encoded));
  return LatencyHistogram.mergeAll(decoded).encode();
}
