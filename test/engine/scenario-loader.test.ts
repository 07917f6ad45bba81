import { describe, expect, it } from 'vitest';
import { newRunId } from '../../src/cli/commands/run.js';
import { deviceName } from '../../src/engine/run.js';
import {
  listBuiltInScenarioIds,
  loadScenario,
  resolveScenarios,
  selectVariant,
} from '../../src/engine/scenario-loader.js';

describe('scenario resolution', () => {
  it('resolves "all" to every built-in file, in the order of docs/design.md first', () => {
    const ids = listBuiltInScenarioIds();
    expect(ids).not.toContain('index');
    const designOrder = ['pre-issued', 'byo-ca', 'jitr', 'krypton', 'jitp', 'fleet-provisioning'].filter(
      (id) => ids.includes(id),
    );
    expect(ids.slice(0, designOrder.length)).toEqual(designOrder);
    expect(resolveScenarios('all').map((ref) => ref.id)).toEqual(ids);
  });

  it('parses id:variant lists and paths, and names the built-ins when an id is unknown', async () => {
    const [fixture] = resolveScenarios('./test/support/scenarios/sleepy.ts');
    expect(fixture?.moduleUrl).toMatch(/^file:.*sleepy\.ts$/);
    expect(fixture?.variant).toBeNull();
    const [withVariant] = resolveScenarios('./test/support/scenarios/sleepy.ts:fast');
    expect(withVariant?.variant).toBe('fast');
    expect(() => resolveScenarios('no-such-pattern')).toThrow(
      /unknown scenario "no-such-pattern"; built-in: .*pre-issued/,
    );
    expect(() => resolveScenarios('./missing.ts')).toThrow(/does not exist/);
    const scenario = await loadScenario(fixture?.moduleUrl ?? '');
    expect(scenario.id).toBe('sleepy');
    expect(selectVariant(scenario, null)).toBeNull();
    expect(() => selectVariant(scenario, 'fast')).toThrow(/has no variant "fast"/);
  });

  it('makes run ids and device names that AWS accepts as thing names and client ids', () => {
    const runId = newRunId(new Date('2026-11-28T21:00:05Z'));
    expect(runId).toMatch(/^pb20261128-210005-[0-9a-f]{4}$/);
    const name = deviceName(runId, 'fleet-provisioning', 42);
    expect(name).toMatch(/^[a-zA-Z0-9:_-]{1,128}$/);
    expect(name.endsWith('-000042')).toBe(true);
    expect(deviceName(runId, '/abs/path/my pattern.ts', 1)).toMatch(/^[a-zA-Z0-9:_-]+$/);
  });
});
