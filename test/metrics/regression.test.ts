import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/metrics/regression.js';
import { syntheticRun } from '../support/synthetic-run.js';

describe('compareRuns', () => {
  const baseline = syntheticRun({ devices: 800, seed: 21, failureFraction: 0.01 });

  it('finds nothing regressed when a run is compared with itself', () => {
    const rows = compareRuns(baseline, baseline, 0);
    expect(rows.length).toBeGreaterThan(baseline.scenarios.length * 5);
    expect(rows.filter((row) => row.regressed)).toEqual([]);
    expect(rows.every((row) => row.changePercent === 0 || row.changePercent === null)).toBe(true);
  });

  it('flags latency that grew beyond the limit, and not within it', () => {
    const slower = syntheticRun({ devices: 800, seed: 21, failureFraction: 0.01, latencyFactor: 1.5 });
    const strict = compareRuns(slower, baseline, 10);
    const p90 = strict.find((row) => row.scenario === 'krypton' && row.figure === 'time to connected p90')!;
    expect(p90.regressed).toBe(true);
    expect(p90.changePercent).toBeGreaterThan(40);
    expect(p90.current).toBe(
      slower.scenarios.find((s) => s.summary.scenario === 'krypton')!.summary.timeToConnectedMs.p90,
    );
    const lenient = compareRuns(slower, baseline, 80);
    expect(lenient.filter((row) => row.figure.startsWith('time to connected') && row.regressed)).toEqual([]);
  });

  it('treats lower throughput as the regression, and faster runs as fine', () => {
    const faster = syntheticRun({ devices: 800, seed: 21, failureFraction: 0.01, latencyFactor: 0.5 });
    const rows = compareRuns(faster, baseline, 5);
    expect(rows.filter((row) => row.figure.startsWith('time to connected') && row.regressed)).toEqual([]);
    const reversed = compareRuns(baseline, faster, 5);
    expect(reversed.some((row) => row.figure === 'time to connected p50' && row.regressed)).toBe(true);
  });

  it('reports a scenario missing from the run as a regression, a new one as a note', () => {
    const partial = { ...baseline, scenarios: baseline.scenarios.slice(1) };
    const missing = compareRuns(partial, baseline, 10).find((row) => row.figure === 'scenario')!;
    expect(missing).toMatchObject({ scenario: baseline.scenarios[0]!.summary.scenario, regressed: true });
    expect(missing.note).toMatch(/update the baseline/);
    const added = compareRuns(baseline, partial, 10).find((row) => row.figure === 'scenario')!;
    expect(added).toMatchObject({ regressed: false, note: 'new in this run (no baseline)' });
  });

  it('ignores moves under the noise floor even when the relative change is large', () => {
    const base = structuredClone(baseline);
    const now = structuredClone(baseline);
    const scenario = (run: typeof base) => run.scenarios[0]!;
    scenario(base).summary.timeToConnectedMs.p50 = 0.2;
    scenario(now).summary.timeToConnectedMs.p50 = 0.4;
    const row = compareRuns(now, base, 10).find(
      (r) => r.figure === 'time to connected p50' && r.scenario === scenario(now).summary.scenario,
    )!;
    expect(row.changePercent).toBeCloseTo(100, 9);
    expect(row.regressed).toBe(false);
  });

  it('rejects a negative limit', () => {
    expect(() => compareRuns(baseline, baseline, -1)).toThrow(/non-negative/);
  });
});
