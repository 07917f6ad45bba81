import { describe, expect, it } from 'vitest';
import { type FigureValue, type RunFigures, runFigures } from '../../src/metrics/history-figures.js';
import { compareWithHistory, evaluateHistory, median, spreadOf } from '../../src/metrics/history-gate.js';
import { compareRuns } from '../../src/metrics/regression.js';
import { parseRunResult } from '../../src/metrics/result-schema.js';
import { syntheticNights } from '../support/synthetic-history.js';

function p50(value: number): FigureValue {
  return { figure: 'time to connected p50', unit: 'ms', better: 'lower', noiseFloor: 1, value };
}

function throughput(value: number): FigureValue {
  return { figure: 'devices per second', unit: '/s', better: 'higher', noiseFloor: 0.01, value };
}

function run(figures: Record<string, FigureValue[]>): RunFigures {
  return new Map(
    Object.entries(figures).map(([pattern, values]) => [pattern, new Map(values.map((v) => [v.figure, v]))]),
  );
}

const history = (values: number[]) => values.map((value) => run({ jitr: [p50(value)] }));

describe('median and spread', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is the 99.9% prediction bound t(0.999, n-1) × s × √(1 + 1/n)', () => {
    // n = 4 (no trimming below 5): s of 98, 100, 102, 100 is √(8/3); t(0.999, 3) = 10.215.
    expect(spreadOf([98, 100, 102, 100])).toBeCloseTo(10.215 * Math.sqrt(8 / 3) * Math.sqrt(1.25), 6);
    expect(spreadOf([100])).toBe(0);
    expect(spreadOf([7, 7, 7, 7, 7])).toBe(0);
  });

  it('leaves out the run farthest from the median, so one lucky night does not widen the band', () => {
    const steady = [100, 102, 98, 101, 99, 100, 103, 97, 100];
    const mean = steady.reduce((sum, value) => sum + value, 0) / steady.length;
    const sd = Math.sqrt(steady.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (steady.length - 1));
    // The 60 is left out: 9 runs kept, t(0.999, 8) = 4.501.
    expect(spreadOf([...steady, 60])).toBeCloseTo(4.501 * sd * Math.sqrt(1 + 1 / 9), 6);
    expect(spreadOf([...steady, 60])).toBeLessThan(20);
  });
});

describe('compareWithHistory', () => {
  const steady = history([100, 102, 98, 101, 99, 100, 103, 97, 100, 101]);

  it('flags a figure worse than the median by more than both the limit and the spread', () => {
    const [slow] = compareWithHistory(run({ jitr: [p50(130)] }), steady, 10);
    expect(slow).toMatchObject({ scenario: 'jitr', baseline: 100, current: 130, regressed: true, runs: 10 });
    expect(slow!.spread).toBeGreaterThan(5);
    expect(slow!.spread).toBeLessThan(25);
    expect(compareWithHistory(run({ jitr: [p50(109)] }), steady, 10)[0]!.regressed).toBe(false);
    // Beyond the limit but not beyond the spread of a noisy history: noise, not a regression.
    const noisy = history([100, 130, 80, 115, 90, 125, 85, 100, 120, 95]);
    const row = compareWithHistory(run({ jitr: [p50(140)] }), noisy, 10)[0]!;
    expect(row.changePercent).toBeGreaterThan(10);
    expect(row.regressed).toBe(false);
  });

  it('judges higher-is-better figures the other way', () => {
    const window = [50, 51, 49, 50, 52].map((value) => run({ jitr: [throughput(value)] }));
    expect(compareWithHistory(run({ jitr: [throughput(30)] }), window, 10)[0]!.regressed).toBe(true);
    expect(compareWithHistory(run({ jitr: [throughput(70)] }), window, 10)[0]!.regressed).toBe(false);
  });

  it('is not fooled by one lucky night as a single baseline is', () => {
    const lucky = history([100, 102, 98, 101, 99, 100, 103, 97, 100, 70]);
    // A normal night against the lucky one alone would fail; against the history it passes.
    expect(compareWithHistory(run({ jitr: [p50(101)] }), lucky.slice(-1), 10)[0]!.regressed).toBe(true);
    expect(compareWithHistory(run({ jitr: [p50(101)] }), lucky, 10)[0]!.regressed).toBe(false);
    // And the lucky night does not hide a real 30% slowdown.
    expect(compareWithHistory(run({ jitr: [p50(130)] }), lucky, 10)[0]!.regressed).toBe(true);
  });

  it('notes new patterns and flags patterns missing from the run', () => {
    const rows = compareWithHistory(run({ jitp: [p50(100)] }), steady, 10);
    expect(rows).toContainEqual(
      expect.objectContaining({ scenario: 'jitr', regressed: true, note: expect.stringMatching(/missing/) }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ scenario: 'jitp', regressed: false, note: 'new in this run (no history)' }),
    );
  });
});

describe('evaluateHistory', () => {
  const judged = (values: number[], passed: boolean[] = values.map(() => true)) =>
    evaluateHistory(
      values.map((value, index) => ({
        figures: run({ jitr: [p50(value)] }),
        passedThresholds: passed[index]!,
      })),
      { historySize: 10, maxRegressionPercent: 10 },
    );

  it('falls back to the latest good run below 3 good runs, and to nothing before the first', () => {
    const verdicts = judged([100, 100, 120, 100, 130], [true, false, true, true, true]);
    expect(verdicts.map((verdict) => verdict.mode)).toEqual([
      'none',
      'last-good',
      'last-good',
      'last-good',
      'history',
    ]);
    // Run 2 is compared with run 0 (run 1 failed its thresholds), run 3 with run 2.
    expect(verdicts[2]!.window).toEqual([0]);
    expect(verdicts[2]!.regressed).toBe(true);
    expect(verdicts[3]!.window).toEqual([2]);
    expect(verdicts[4]!.window).toEqual([0, 2, 3]);
  });

  it('uses only the last historySize good runs', () => {
    const verdicts = judged([200, 200, 200, 100, 100, 100, 100], undefined);
    const last = evaluateHistory(
      [200, 200, 200, 100, 100, 100, 100].map((value) => ({
        figures: run({ jitr: [p50(value)] }),
        passedThresholds: true,
      })),
      { historySize: 3, maxRegressionPercent: 10 },
    ).at(-1)!;
    expect(last.window).toEqual([3, 4, 5]);
    expect(verdicts.at(-1)!.window).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => evaluateHistory([], { historySize: 2, maxRegressionPercent: 10 })).toThrow(/at least 3/);
  });
});

describe('30+ synthetic nights with noise and one planted regression', () => {
  const nights = syntheticNights({
    nights: 32,
    seed: 1,
    noise: 0.08,
    regressionNight: 24,
    regressionPattern: 'krypton',
    regressionFactor: 1.6,
  });
  const runs = nights.map((night) => parseRunResult(JSON.parse(JSON.stringify(night))));
  const verdicts = evaluateHistory(
    runs.map((one) => ({
      figures: runFigures({ run: one, source: one.runId, dataPerDevice: new Map() }),
      passedThresholds: true,
    })),
    { historySize: 10, maxRegressionPercent: 10 },
  );

  it('flags the planted night, in the planted pattern only', () => {
    const planted = verdicts[24]!;
    expect(planted.mode).toBe('history');
    const regressed = planted.rows.filter((row) => row.regressed);
    expect(regressed.map((row) => row.figure)).toContain('time to connected p50');
    expect(new Set(regressed.map((row) => row.scenario))).toEqual(new Set(['krypton']));
  });

  it('passes every noise night judged against a history, where a single baseline fails many', () => {
    const noiseNights = verdicts
      .map((verdict, index) => ({ verdict, index }))
      .filter(({ verdict, index }) => verdict.mode === 'history' && index !== 24);
    expect(noiseNights.length).toBeGreaterThanOrEqual(28);
    expect(noiseNights.filter(({ verdict }) => verdict.regressed).map(({ index }) => index)).toEqual([]);
    const singleBaselineFailures = noiseNights.filter(
      ({ index }) =>
        index !== 25 && compareRuns(runs[index]!, runs[index - 1]!, 10).some((row) => row.regressed),
    );
    expect(singleBaselineFailures.length).toBeGreaterThanOrEqual(5);
  });
});
