import { describe, expect, it } from 'vitest';
import { anyUsesSimFleet } from '../../src/cli/commands/run.js';
import { resolveScenarios } from '../../src/engine/scenario-loader.js';

describe('which runs hand the SIM fleet to the embedded bootstrap service', () => {
  it('only runs that include a scenario whose devices bootstrap by SIM', async () => {
    expect(await anyUsesSimFleet(resolveScenarios('pre-issued,byo-ca,jitr,jitp,fleet-provisioning'))).toBe(
      false,
    );
    expect(await anyUsesSimFleet(resolveScenarios('krypton'))).toBe(true);
    expect(await anyUsesSimFleet(resolveScenarios('pre-issued,krypton:sim-auth'))).toBe(true);
  });
});
