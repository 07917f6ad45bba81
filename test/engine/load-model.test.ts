import { describe, expect, it } from 'vitest';
import { intendedStartMs, parseDurationMs, parseRamp, shardModel } from '../../src/engine/load-model.js';
import { shardDeviceIndices } from '../../src/engine/run.js';
import { projectFleet, projectionInput } from '../../src/metrics/projection.js';
import { defaultQuotaTable } from '../../src/quotas/aws-default-quotas.js';

describe('load models', () => {
  it('constant rate spaces arrivals evenly', () => {
    const model = { kind: 'constant-rate', rate: 50 } as const;
    expect(intendedStartMs(model, 0)).toBe(0);
    expect(intendedStartMs(model, 1)).toBe(20);
    expect(intendedStartMs(model, 100)).toBe(2000);
  });

  it('ramping rate integrates a linear ramp, then holds the last rate', () => {
    // 0 -> 10/s over 10 s: 50 arrivals by t = 10 s; arrival n at t = sqrt(2n) s during the ramp.
    const model = parseRamp('0,10:10s');
    expect(intendedStartMs(model, 8)).toBeCloseTo(4000, 6);
    expect(intendedStartMs(model, 50)).toBeCloseTo(10_000, 6);
    // After the ramp, 10/s: arrival 60 is 1 s later.
    expect(intendedStartMs(model, 60)).toBeCloseTo(11_000, 6);
    // Arrival times never go backwards.
    const times = Array.from({ length: 200 }, (_, n) => intendedStartMs(parseRamp('5,50:3s,20:2s'), n));
    expect(times.every((time, n) => n === 0 || time >= (times[n - 1] ?? 0))).toBe(true);
  });

  it('rejects ramps it cannot follow, with the expected syntax', () => {
    expect(() => parseRamp('10')).toThrow(/START,TARGET:DURATION/);
    expect(() => parseRamp('1,50:30s,0:10s')).toThrow(/above 0/);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(() => parseDurationMs('soon')).toThrow(/30s/);
  });

  it('shards split rates and devices so the parts add up to the whole run', () => {
    expect(shardModel({ kind: 'constant-rate', rate: 90 }, 3)).toEqual({ kind: 'constant-rate', rate: 30 });
    expect(shardModel({ kind: 'concurrency', concurrency: 10 }, 4)).toEqual({
      kind: 'concurrency',
      concurrency: 3,
    });
    const parts = [0, 1, 2].map((index) => shardDeviceIndices(10, { index, count: 3 }));
    expect(parts).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ]);
    expect(parts.flat().sort((a, b) => a - b)).toEqual(shardDeviceIndices(10, null));
  });
});

describe('time-to-fleet projection', () => {
  it('names the API whose quota allows the fewest devices per second', () => {
    const projection = projectFleet(
      {
        CreateKeysAndCertificate: 1,
        CreateThing: 1,
        AttachPolicy: 1,
        AttachThingPrincipal: 1,
        MqttConnect: 1,
      },
      defaultQuotaTable(),
    );
    expect(projection.bottleneckApi).toBe('CreateKeysAndCertificate');
    expect(projection.devicesPerSecondLimit).toBe(10);
    expect(projection.fleets).toEqual([
      { devices: 10_000, seconds: 1_000 },
      { devices: 100_000, seconds: 10_000 },
      { devices: 1_000_000, seconds: 100_000 },
    ]);
  });

  it('accounts for several calls of one API per device and for data-plane limits', () => {
    const projection = projectFleet({ AttachPolicy: 2, 'mqtt:RegisterThing': 1 }, defaultQuotaTable());
    // AttachPolicy 15 TPS / 2 = 7.5 devices/s beats fleet provisioning RegisterThing's 10/s.
    expect(projection.bottleneckApi).toBe('AttachPolicy');
    expect(projection.devicesPerSecondLimit).toBe(7.5);
    expect(projectFleet({ UnknownThing: 3 }, defaultQuotaTable()).bottleneckApi).toBeNull();
  });

  it("counts calls the harness cannot see when the scenario declares them (a bootstrap service's own calls)", () => {
    const measured = { 'krypton:Bootstrap': 1, 'mqtt:Connect': 1 };
    expect(projectFleet(measured, defaultQuotaTable()).bottleneckApi).toBe('mqtt:Connect');
    const combined = projectionInput(measured, { CreateKeysAndCertificate: 1, 'mqtt:Connect': 0.5 });
    expect(combined).toEqual({ 'krypton:Bootstrap': 1, 'mqtt:Connect': 1, CreateKeysAndCertificate: 1 });
    expect(projectFleet(combined, defaultQuotaTable()).bottleneckApi).toBe('CreateKeysAndCertificate');
  });
});
