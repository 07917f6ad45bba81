import { describe, expect, it } from 'vitest';
import { runScenarios } from '../../src/engine/run.js';
import { generateFleet } from '../../src/sim/generate.js';
import { readLedger } from '../../src/targets/ledger.js';
import { fixtureRef, testConfig } from '../support/offline-target.js';

describe('worker input', () => {
  it('is a description of the share, not the fleet: each worker derives its own devices and SIMs from the seed', async () => {
    const config = testConfig({
      scenarios: [fixtureRef('share-probe')],
      devices: 60,
      shard: { index: 1, count: 3 },
      seed: 5,
      model: { kind: 'constant-rate', rate: 2_000 },
      workers: 2,
      simFor: undefined,
    });
    const result = await runScenarios(config);
    expect(result.scenarios[0]?.summary.devices).toEqual({ requested: 20, succeeded: 20, failed: 0 });

    const fleet = generateFleet({ devices: 60, seed: 5 });
    const probes = readLedger(config.ledgerPath).map((entry) => {
      const [index, imsi, bytes] = (entry.resource.name ?? '').split(':');
      return { index: Number(index), imsi, bytes: Number(bytes) };
    });
    expect(probes.map((probe) => probe.index).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, position) => 1 + 3 * position),
    );
    for (const probe of probes) expect(probe.imsi).toBe(fleet[probe.index]?.imsi);
    // Settings and a few numbers: no per-device data crosses into the worker.
    for (const probe of probes) expect(probe.bytes).toBeLessThan(2_500);
  }, 60_000);
});
