import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { ERROR_CLASSES, ScenarioSummary } from '../../src/metrics/result-schema.js';
import {
  buildScenarioSummary,
  countErrorsByClass,
  devicesNotRun,
  failureRate,
} from '../../src/metrics/summary.js';
import { logNormalLatenciesUs } from '../support/synthetic-latencies.js';

function histogramOf(latenciesUs: readonly number[]): LatencyHistogram {
  const histogram = LatencyHistogram.create();
  for (const latency of latenciesUs) histogram.recordMicros(latency);
  return histogram;
}

describe('buildScenarioSummary', () => {
  const latencies = logNormalLatenciesUs(950, 250_000, 0.4, 11);
  const timeToConnected = histogramOf(latencies);

  it('builds the summary block of docs/design.md from counts and the time-to-connected histogram', () => {
    const summary = buildScenarioSummary({
      scenario: 'pre-issued',
      requested: 1000,
      succeeded: latencies.length,
      failed: 50,
      durationMs: 19_000,
      timeToConnected,
      errors: [
        { errorClass: 'throttled', count: 30 },
        { errorClass: 'timeout', count: 15 },
        { errorClass: 'throttled', count: 5 },
      ],
    });
    expect(ScenarioSummary.parse(summary)).toEqual(summary);
    expect(summary.devices).toEqual({ requested: 1000, succeeded: 950, failed: 50 });
    expect(summary.devicesPerSecond).toBeCloseTo(950 / 19, 9);
    expect(summary.timeToConnectedMs).toEqual(timeToConnected.summaryMs());
    expect(summary.errors.throttled).toBe(35);
    expect(summary.errors.timeout).toBe(15);
    expect(summary.errors.auth_rejected).toBe(0);
  });

  it('lists every error class, and keeps classes outside the taxonomy', () => {
    const counts = countErrorsByClass([{ errorClass: 'custom', count: 2 }]);
    expect(Object.keys(counts)).toEqual([...ERROR_CLASSES, 'custom']);
    expect(counts.custom).toBe(2);
  });

  it('refuses counts that do not add up, saying what to fix', () => {
    const base = { scenario: 'jitr', durationMs: 1000, timeToConnected, errors: [] };
    expect(() => buildScenarioSummary({ ...base, requested: 10, succeeded: 8, failed: 3 })).toThrow(
      /count each device once/,
    );
    expect(() => buildScenarioSummary({ ...base, requested: 10, succeeded: -1, failed: 0 })).toThrow(
      /non-negative integer/,
    );
  });

  it('counts devices that never ran as failures in the failure rate', () => {
    const devices = { requested: 200, succeeded: 150, failed: 10 };
    expect(failureRate({ devices })).toBeCloseTo(50 / 200, 12);
    expect(devicesNotRun({ devices })).toBe(40);
    expect(failureRate({ devices: { requested: 0, succeeded: 0, failed: 0 } })).toBe(0);
  });

  it('reports zero throughput for a zero-length run rather than dividing by zero', () => {
    const summary = buildScenarioSummary({
      scenario: 'krypton',
      requested: 0,
      succeeded: 0,
      failed: 0,
      durationMs: 0,
      timeToConnected: LatencyHistogram.create(),
      errors: [],
    });
    expect(summary.devicesPerSecond).toBe(0);
    expect(summary.timeToConnectedMs).toEqual({ p50: 0, p90: 0, p99: 0, max: 0 });
  });
});
