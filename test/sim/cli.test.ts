import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fleetCommand } from '../../src/cli/commands/fleet.js';
import { readFleetFile } from '../../src/sim/fleet-file.js';
import { generateFleet } from '../../src/sim/generate.js';

describe('provbench fleet export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-fleet-cli-'));
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  async function exportFleet(args: string[]): Promise<void> {
    const command = fleetCommand().exitOverride();
    for (const sub of command.commands) sub.exitOverride().configureOutput({ writeErr: () => {} });
    await command.parseAsync(['export', ...args], { from: 'user' });
  }

  it('writes the same fleet generateFleet gives for the seed, group and prefix', async () => {
    const out = join(dir, 'fleet.json');
    await exportFleet(['--devices', '4', '--out', out, '--seed', '11', '--mcc', '440', '--mnc', '10']);
    expect(await readFleetFile(out)).toEqual(
      generateFleet({ devices: 4, seed: '11', mcc: '440', mnc: '10' }),
    );
    expect((await stat(out)).mode & 0o777).toBe(0o600);
  });

  it('--no-secrets leaves Ki and OPc out', async () => {
    const out = join(dir, 'public.json');
    await exportFleet(['--devices', '2', '--out', out, '--no-secrets']);
    const sims = await readFleetFile(out);
    expect(sims).toHaveLength(2);
    expect(sims.every((sim) => sim.ki === undefined && sim.opc === undefined)).toBe(true);
  });

  it('rejects a bad device count before writing anything', async () => {
    const out = join(dir, 'bad.json');
    await expect(exportFleet(['--devices', '0', '--out', out])).rejects.toThrow(/positive integer/);
    await expect(stat(out)).rejects.toThrow();
  });
});
