import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFleetFile } from '../../src/sim/fleet-file.js';
import { generateFleet, SeededFleet, writeGeneratedFleetFile } from '../../src/sim/generate.js';

describe('seeded fleet, one SIM at a time', () => {
  it('derives SIM n exactly as the generated fleet holds it, whatever the fleet size', () => {
    const fleet = generateFleet({ devices: 50, seed: 7 });
    const seeded = new SeededFleet({ seed: 7 });
    expect([0, 1, 31, 49].map((index) => seeded.sim(index))).toEqual([0, 1, 31, 49].map((i) => fleet[i]));
    expect(new SeededFleet({ seed: 8 }).sim(0).imsi).not.toBe(fleet[0]?.imsi);
    expect(() => seeded.sim(-1)).toThrow(/index/);
  });

  it('writes the same fleet.json bytes as the whole fleet in memory, across chunk boundaries, mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-seeded-fleet-'));
    for (const devices of [1, 1_000, 2_345]) {
      const streamed = join(dir, `streamed-${devices}.json`);
      const whole = join(dir, `whole-${devices}.json`);
      await writeGeneratedFleetFile(streamed, { devices, seed: 3 });
      await writeFleetFile(whole, generateFleet({ devices, seed: 3 }));
      expect(readFileSync(streamed, 'utf8')).toBe(readFileSync(whole, 'utf8'));
      expect(statSync(streamed).mode & 0o777).toBe(0o600);
    }
  });
});
