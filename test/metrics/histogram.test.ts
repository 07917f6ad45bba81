import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram, mergeEncoded } from '../../src/metrics/histogram.js';
import { EncodedHistogram } from '../../src/metrics/result-schema.js';
import { exactPercentile, logNormalLatenciesUs } from '../support/synthetic-latencies.js';

/** HDR with 3 significant digits keeps every value within 0.1% of what was recorded. */
const RESOLUTION = 0.001;

function expectWithinResolution(actualMs: number, expectedUs: number): void {
  const expectedMs = expectedUs / 1000;
  expect(Math.abs(actualMs - expectedMs)).toBeLessThanOrEqual(expectedMs * RESOLUTION + 0.001);
}

function recordAll(latenciesUs: readonly number[]): LatencyHistogram {
  const histogram = LatencyHistogram.create();
  for (const latency of latenciesUs) histogram.recordMicros(latency);
  return histogram;
}

describe('LatencyHistogram', () => {
  const samples = logNormalLatenciesUs(20_000, 80_000, 0.6, 7);

  it('reports percentiles in milliseconds within HDR resolution of the exact values', () => {
    const histogram = recordAll(samples);
    expect(histogram.count).toBe(samples.length);
    for (const percentile of [50, 90, 99, 99.9]) {
      expectWithinResolution(histogram.percentileMs(percentile), exactPercentile(samples, percentile));
    }
    expectWithinResolution(histogram.maxMs, Math.max(...samples));
    expectWithinResolution(histogram.minMs, Math.min(...samples));
    const summary = histogram.summaryMs();
    expect(summary.p50).toBeLessThan(summary.p90);
    expect(summary.p90).toBeLessThan(summary.p99);
    expect(summary.p99).toBeLessThanOrEqual(summary.max);
  });

  it('encodes to the result.json shape and decodes to the same distribution', () => {
    const histogram = recordAll(samples);
    const encoded = histogram.encode();
    expect(EncodedHistogram.parse(encoded)).toEqual(encoded);
    expect(encoded.count).toBe(samples.length);
    const decoded = LatencyHistogram.decode(JSON.parse(JSON.stringify(encoded)));
    expect(decoded.count).toBe(histogram.count);
    expect(decoded.curve()).toEqual(histogram.curve());
    expect(decoded.summaryMs()).toEqual(histogram.summaryMs());
    expect(decoded.meanMs).toBeCloseTo(histogram.meanMs, 6);
  });

  it('keeps a 20,000-sample histogram small (it goes into every result and report)', () => {
    expect(recordAll(samples).encode().encoded.length).toBeLessThan(8_000);
  });

  it('merges shards into exactly what one histogram of all values holds', () => {
    const whole = recordAll(samples);
    const shards = [0, 1, 2].map((shard) => recordAll(samples.filter((_, i) => i % 3 === shard)));
    const merged = LatencyHistogram.mergeAll(shards);
    expect(merged.count).toBe(whole.count);
    expect(merged.curve()).toEqual(whole.curve());
    const mergedEncoded = LatencyHistogram.decode(mergeEncoded(shards.map((shard) => shard.encode())));
    expect(mergedEncoded.curve()).toEqual(whole.curve());
  });

  it('corrects for coordinated omission when given the expected interval', () => {
    const corrected = LatencyHistogram.create();
    const raw = LatencyHistogram.create();
    for (let i = 0; i < 99; i += 1) {
      corrected.recordMillis(10, 100);
      raw.recordMillis(10);
    }
    // One stall of 1 s in a 100 ms arrival schedule held back nine starts: 900, 800, ... 100 ms.
    corrected.recordMillis(1000, 100);
    raw.recordMillis(1000);
    expect(raw.count).toBe(100);
    expect(corrected.count).toBe(109);
    expect(raw.percentileMs(95)).toBeLessThan(11);
    expect(corrected.percentileMs(95)).toBeGreaterThan(500);
  });

  it('is empty-safe: zero percentiles and a decodable encoding', () => {
    const empty = LatencyHistogram.create();
    expect(empty.summaryMs()).toEqual({ p50: 0, p90: 0, p99: 0, max: 0 });
    const decoded = LatencyHistogram.decode(empty.encode());
    expect(decoded.count).toBe(0);
  });

  it('rejects negative or non-finite latencies and corrupt encodings with a hint', () => {
    const histogram = LatencyHistogram.create();
    expect(() => histogram.recordMicros(-1)).toThrow(/non-negative/);
    expect(() => histogram.recordMicros(Number.NaN)).toThrow(/finite/);
    expect(() => LatencyHistogram.decode({ unit: 'us', encoded: 'bm90IGhkcg==', count: 0 })).toThrow(
      /regenerate/,
    );
    const encoded = recordAll([1000, 2000]).encode();
    expect(() => LatencyHistogram.decode({ ...encoded, count: 3 })).toThrow(/corrupt/);
  });

  it('works in worker threads: histograms recorded in workers merge in the main thread', async () => {
    const halves = [samples.slice(0, 10_000), samples.slice(10_000)];
    const encoded = await Promise.all(
      halves.map(
        (latenciesUs) =>
          new Promise<EncodedHistogram>((resolve, reject) => {
            const script = new URL('../support/record-worker.ts', import.meta.url).href;
            // Worker threads do not inherit vitest's TypeScript loader: register tsx first.
            const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`;
            const worker = new Worker(bootstrap, { eval: true, workerData: { latenciesUs } });
            worker.once('message', (message: EncodedHistogram) => {
              resolve(message);
              void worker.terminate();
            });
            worker.once('error', reject);
          }),
      ),
    );
    const merged = LatencyHistogram.decode(mergeEncoded(encoded));
    expect(merged.curve()).toEqual(recordAll(samples).curve());
  });
});
