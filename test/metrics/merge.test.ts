import { describe, expect, it } from 'vitest';
import { runScenarios } from '../../src/engine/run.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { mergeRunResults } from '../../src/metrics/merge.js';
import type { RunResult, ScenarioResult } from '../../src/metrics/result-schema.js';
import { BUILTIN_PROFILES } from '../../src/network/builtin-profiles.js';
import { testConfig } from '../support/offline-target.js';

function shape(scenario: ScenarioResult | undefined) {
  if (!scenario) throw new Error('missing scenario');
  return {
    devices: scenario.summary.devices,
    errors: scenario.summary.errors,
    apiCalls: scenario.apiCalls,
    errorRecords: scenario.errors.map(({ phase, errorClass, count }) => ({ phase, errorClass, count })),
    // Device phases only: every shard runs prepare and teardown once, so those count n times.
    phaseCounts: Object.fromEntries(
      Object.entries(scenario.phases)
        .filter(([name]) => !name.startsWith('prepare:') && !name.startsWith('teardown:'))
        .map(([name, phase]) => [name, [phase.histogram.count, phase.errors]]),
    ),
    timeToConnected: scenario.timeToConnected.count,
    started: scenario.series.reduce((sum, point) => sum + point.started, 0),
    devicesStarted: scenario.devicesStarted,
    apiCallsPerDevice: scenario.apiCallsPerDevice,
    bottleneck: scenario.projection.bottleneckApi,
  };
}

describe('sharded runs', () => {
  it('three shards merged equal the unsharded run in counts and histogram totals', async () => {
    const model = { kind: 'constant-rate', rate: 600 } as const;
    const whole = await runScenarios(testConfig({ devices: 90, model }));
    const shards: RunResult[] = [];
    for (let index = 0; index < 3; index++) {
      shards.push(
        await runScenarios(testConfig({ devices: 90, model, shard: { index, count: 3 }, workers: 1 })),
      );
    }
    expect(shards.map((shard) => shard.scenarios[0]?.summary.devices.requested)).toEqual([30, 30, 30]);
    const merged = mergeRunResults(shards);
    expect(merged.partial).toBe(false);
    expect(merged.shard).toBeNull();
    expect(shape(merged.scenarios[0])).toEqual(shape(whole.scenarios[0]));
    expect(merged.scenarios[0]?.phases['prepare:setup']?.histogram.count).toBe(3);
    // The merged histogram is an exact HDR merge of the shards' histograms.
    const mergedTtc = LatencyHistogram.decode(
      merged.scenarios[0]?.timeToConnected ?? { unit: 'us', encoded: '', count: 0 },
    );
    const shardMax = Math.max(
      ...shards.map(
        (shard) =>
          LatencyHistogram.decode(
            shard.scenarios[0]?.timeToConnected ?? { unit: 'us', encoded: '', count: 0 },
          ).maxMs,
      ),
    );
    expect(mergedTtc.maxMs).toBe(shardMax);

    expect(() => mergeRunResults([shards[0], shards[0]].filter((shard) => shard !== undefined))).toThrow(
      /appears twice/,
    );
    expect(mergeRunResults(shards.slice(0, 2)).partial).toBe(true);
    const [one, two] = shards as [RunResult, RunResult];
    const onNbIot = { ...two, network: { profile: 'nb-iot', link: BUILTIN_PROFILES['nb-iot']! } };
    expect(() => mergeRunResults([one, onNbIot])).toThrow(/different field links \(none, nb-iot\)/);
    // Shards resumed on their own: the merge says so, in all; none resumed: nothing said.
    expect(merged.resumed).toBeUndefined();
    const [, , three] = shards as [RunResult, RunResult, RunResult];
    const resumed = mergeRunResults([
      { ...one, resumed: { times: 1, rerunDevices: 3 } },
      two,
      { ...three, resumed: { times: 2, rerunDevices: 4 } },
    ]);
    expect(resumed.resumed).toEqual({ times: 3, rerunDevices: 7 });

    // Throttling adds up across shards: retried apart from failed, and the waits for quota slots.
    const throttledShard = (shard: RunResult, retried: number, failed: number, paced: number): RunResult => {
      const scenario = shard.scenarios[0]!;
      return {
        ...shard,
        scenarios: [
          {
            ...scenario,
            apiCalls: {
              ...scenario.apiCalls,
              CreateKeysAndCertificate: {
                calls: 10,
                attempts: 10 + retried,
                retries: { throttled: retried },
                failed: { throttled: failed },
                pacedAttempts: paced,
                pacedWaitMs: paced * 100,
              },
            },
            throttling: { retried, failed, pacedAttempts: paced, pacedWaitMs: paced * 100 },
          },
        ],
      };
    };
    const throttled = mergeRunResults([throttledShard(one, 2, 1, 5), throttledShard(two, 3, 0, 7), three]);
    expect(throttled.scenarios[0]?.apiCalls.CreateKeysAndCertificate).toEqual({
      calls: 20,
      attempts: 25,
      retries: { throttled: 5 },
      failed: { throttled: 1 },
      pacedAttempts: 12,
      pacedWaitMs: 1200,
    });
    // On top of what the offline target's other calls already had.
    expect(merged.scenarios[0]?.apiCalls.CreateKeysAndCertificate).toBeUndefined();
    const before = merged.scenarios[0]?.throttling;
    expect(before).toBeDefined();
    expect(throttled.scenarios[0]?.throttling).toEqual({
      retried: (before?.retried ?? 0) + 5,
      failed: (before?.failed ?? 0) + 1,
      pacedAttempts: (before?.pacedAttempts ?? 0) + 12,
      pacedWaitMs: (before?.pacedWaitMs ?? 0) + 1200,
    });
  }, 90_000);
});
