import { describe, expect, it } from 'vitest';
import { runScenarios } from '../../src/engine/run.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { parseRunResult } from '../../src/metrics/result-schema.js';
import { readLedger } from '../../src/targets/ledger.js';
import { fixtureRef, testConfig } from '../support/offline-target.js';

describe('runScenarios', () => {
  it('open model: phases timed, errors classified per phase, retries counted, shared state reaches the workers', async () => {
    const result = await runScenarios(
      testConfig({ devices: 100, model: { kind: 'constant-rate', rate: 400 } }),
    );
    parseRunResult(JSON.parse(JSON.stringify(result)));
    const scenario = result.scenarios[0];
    if (!scenario) throw new Error('no scenario result');
    // Devices with index % 10 === 3 are refused at connect: 10 of 100.
    expect(scenario.summary.devices).toEqual({ requested: 100, succeeded: 90, failed: 10 });
    expect(scenario.summary.errors.auth_rejected).toBe(10);
    expect(scenario.errors).toEqual([
      {
        phase: 'connect',
        errorClass: 'auth_rejected',
        count: 10,
        sample: 'AuthRejectedError: Connection refused: Not authorized',
      },
    ]);
    expect(scenario.phases.connect?.errors).toEqual({ auth_rejected: 10 });
    // Every Register call was throttled once and retried once: attempts = 2 x calls.
    expect(scenario.apiCalls.Register).toEqual({ calls: 100, attempts: 200, retries: { throttled: 100 } });
    expect(scenario.apiCallsPerDevice).toBe(1);
    expect(scenario.attemptsPerDevice).toBe(2);
    expect(scenario.phases.factory?.histogram.count).toBe(100);
    expect(scenario.phases.manufacture?.histogram.count).toBe(100);
    expect(scenario.phases.register?.histogram.count).toBe(100);
    expect(scenario.phases.connect?.histogram.count).toBe(90);
    expect(scenario.phases.boot?.histogram.count).toBe(90);
    expect(scenario.phases['schedule-lag']?.histogram.count).toBe(100);
    expect(scenario.phases['prepare:setup']?.histogram.count).toBe(1);
    expect(scenario.phases['teardown:cleanup']?.histogram.count).toBe(1);
    expect(scenario.timeToConnected.count).toBe(90);
    const series = scenario.series;
    expect(series.reduce((sum, point) => sum + point.started, 0)).toBe(100);
    expect(series.reduce((sum, point) => sum + point.failed, 0)).toBe(10);
    // Time to connected covers boot only (connect sleeps 3 ms, register 2 ms + backoff).
    const ttc = LatencyHistogram.decode(scenario.timeToConnected);
    expect(ttc.minMs).toBeGreaterThanOrEqual(5);
    expect(result.partial).toBe(false);
  }, 60_000);

  it('closed model: a device that never connects fails as a timeout, the others succeed', async () => {
    process.env.SLOW_BOOT_MS = '20';
    process.env.SLOW_HANG_EVERY = '5';
    try {
      const config = testConfig({
        scenarios: [fixtureRef('slow')],
        devices: 20,
        model: { kind: 'concurrency', concurrency: 8 },
        timeoutMs: 400,
      });
      const result = await runScenarios(config);
      const scenario = result.scenarios[0];
      expect(scenario?.summary.devices).toEqual({ requested: 20, succeeded: 16, failed: 4 });
      expect(scenario?.summary.errors.timeout).toBe(4);
      expect(scenario?.errors.map((error) => [error.phase, error.errorClass, error.count])).toEqual([
        ['boot', 'timeout', 4],
      ]);
      expect(scenario?.phases['schedule-lag']).toBeUndefined();
      expect(readLedger(config.ledgerPath).filter((entry) => entry.resource.kind === 'thing')).toHaveLength(
        20,
      );
    } finally {
      delete process.env.SLOW_BOOT_MS;
      delete process.env.SLOW_HANG_EVERY;
    }
  }, 60_000);

  it('stops on abort: devices not started are neither succeeded nor failed, the result is partial', async () => {
    process.env.SLOW_BOOT_MS = '50';
    try {
      const interrupt = new AbortController();
      const running = runScenarios(
        testConfig({
          scenarios: [fixtureRef('slow'), fixtureRef('sleepy')],
          devices: 200,
          model: { kind: 'constant-rate', rate: 100 },
          signal: interrupt.signal,
          onProgress: (progress) => {
            if (progress.succeeded >= 20) interrupt.abort();
          },
        }),
      );
      const result = await running;
      expect(result.partial).toBe(true);
      expect(result.scenarios).toHaveLength(1);
      const devices = result.scenarios[0]?.summary.devices;
      expect(devices?.requested).toBe(200);
      expect(devices?.succeeded).toBeGreaterThanOrEqual(20);
      expect((devices?.succeeded ?? 0) + (devices?.failed ?? 0)).toBeLessThan(200);
    } finally {
      delete process.env.SLOW_BOOT_MS;
    }
  }, 60_000);
});
