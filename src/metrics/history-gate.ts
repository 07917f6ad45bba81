import { type FigureValue, type HistoryRun, type RunFigures, runFigures } from './history-figures.js';
import type { ComparedFigure } from './regression.js';
import type { RunResult } from './result-schema.js';
import { evaluateThresholds, type ThresholdConfig, thresholdsForRun } from './thresholds.js';

/**
 * Gating a run against its history: each figure against the median of the last N good runs.
 * A figure regresses when it is worse than that median by more than the regression limit (in
 * percent of the median), by more than its noise floor, AND by more than the spread of those
 * runs (spreadOf), so a noisy machine does not fail the build by chance, and one lucky night
 * (the baseline of a single-run gate) cannot hide a real slowdown.
 */
export const DEFAULT_HISTORY_SIZE = 10;
/** Below this many good runs a median says little: the gate compares with the latest good run. */
export const MIN_HISTORY_RUNS = 3;
/**
 * Student's t quantile at 0.999 for 1 to 30 degrees of freedom (index = degrees of freedom);
 * beyond 30 the value for 30 is kept (slightly wider than the normal 3.09).
 */
const T_999 = [
  Number.NaN,
  318.31,
  22.327,
  10.215,
  7.173,
  5.893,
  5.208,
  4.785,
  4.501,
  4.297,
  4.144,
  4.025,
  3.93,
  3.852,
  3.787,
  3.733,
  3.686,
  3.646,
  3.61,
  3.579,
  3.552,
  3.527,
  3.505,
  3.485,
  3.467,
  3.45,
  3.435,
  3.421,
  3.408,
  3.396,
  3.385,
];
/** From this many runs on, the one farthest from the median is left out of the spread. */
const TRIM_FROM = 5;

export interface HistoryComparedFigure extends ComparedFigure {
  /** The band around the median within which a change counts as noise; null outside history mode. */
  spread: number | null;
  /** How many history runs the baseline figure comes from. */
  runs: number;
}

/**
 * `history`: median of the last N good runs (at least MIN_HISTORY_RUNS); `last-good`: fewer good
 * runs, so the latest one is the baseline, as `ci --baseline` would use it; `none`: no good run.
 */
export type HistoryMode = 'history' | 'last-good' | 'none';

export interface HistoryComparison {
  mode: HistoryMode;
  /** Indexes (into the runs given) of the runs the baseline comes from, oldest first. */
  window: number[];
  rows: HistoryComparedFigure[];
  regressed: boolean;
}

export interface HistoryVerdict extends HistoryComparison {
  /** Complete and met its thresholds: counts in the history of the runs after it. */
  good: boolean;
}

export interface HistoryGateOptions {
  historySize: number;
  maxRegressionPercent: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function standardDeviation(values: readonly number[]): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
}

/**
 * How far above (or below) the history's median a run may land by chance: the one-sided 99.9%
 * prediction bound for one more run from the same distribution, t(0.999, m-1) × s × √(1 + 1/m),
 * where s is the standard deviation of the m runs kept. From TRIM_FROM runs on, the run farthest
 * from the median is left out, so one lucky (or unlucky) night does not widen the band.
 */
export function spreadOf(values: readonly number[]): number {
  if (values.length < 2) return 0;
  let kept = values;
  if (values.length >= TRIM_FROM) {
    const centre = median(values);
    const farthest = values.reduce(
      (far, value, index) => (Math.abs(value - centre) > Math.abs(values[far]! - centre) ? index : far),
      0,
    );
    kept = values.filter((_, index) => index !== farthest);
  }
  const quantile = T_999[Math.min(kept.length - 1, T_999.length - 1)]!;
  return quantile * standardDeviation(kept) * Math.sqrt(1 + 1 / kept.length);
}

function compareFigure(
  pattern: string,
  current: FigureValue,
  history: readonly number[],
  useMedian: boolean,
  maxRegressionPercent: number,
): HistoryComparedFigure {
  const baseline = useMedian ? median(history) : history.at(-1)!;
  const spread = useMedian ? spreadOf(history) : null;
  const worsening = current.better === 'lower' ? current.value - baseline : baseline - current.value;
  const beyondLimit =
    baseline === 0 ? worsening > 0 : (worsening / Math.abs(baseline)) * 100 > maxRegressionPercent;
  return {
    scenario: pattern,
    figure: current.figure,
    unit: current.unit,
    better: current.better,
    baseline,
    current: current.value,
    changePercent: baseline === 0 ? null : ((current.value - baseline) / Math.abs(baseline)) * 100,
    regressed: beyondLimit && worsening > current.noiseFloor && worsening > (spread ?? 0),
    note: '',
    spread,
    runs: useMedian ? history.length : 1,
  };
}

function patternRow(pattern: string, note: string, regressed: boolean): HistoryComparedFigure {
  return {
    scenario: pattern,
    figure: 'scenario',
    unit: '',
    better: 'higher',
    baseline: null,
    current: null,
    changePercent: null,
    regressed,
    note,
    spread: null,
    runs: 0,
  };
}

/**
 * Compares a run's figures with those of `window` (good runs, oldest first). Per figure, the
 * median needs MIN_HISTORY_RUNS values; a figure with fewer (a pattern added lately) is compared
 * with its latest value.
 */
export function compareWithHistory(
  current: RunFigures,
  window: readonly RunFigures[],
  maxRegressionPercent: number,
): HistoryComparedFigure[] {
  if (!Number.isFinite(maxRegressionPercent) || maxRegressionPercent < 0) {
    throw new Error(`--max-regression must be a non-negative percentage, got ${maxRegressionPercent}`);
  }
  if (window.length === 0) return [];
  const rows: HistoryComparedFigure[] = [];
  const latest = window.at(-1)!;
  for (const pattern of latest.keys()) {
    if (!current.has(pattern)) {
      rows.push(patternRow(pattern, 'missing from this run; run it again or start a new history', true));
    }
  }
  for (const [pattern, figures] of current) {
    if (!window.some((run) => run.has(pattern))) {
      rows.push(patternRow(pattern, 'new in this run (no history)', false));
      continue;
    }
    for (const figure of figures.values()) {
      const history = window
        .map((run) => run.get(pattern)?.get(figure.figure)?.value)
        .filter((value): value is number => value !== undefined);
      if (history.length === 0) continue;
      rows.push(
        compareFigure(pattern, figure, history, history.length >= MIN_HISTORY_RUNS, maxRegressionPercent),
      );
    }
  }
  return rows;
}

/** The good runs a run is compared with: the last `historySize` when there are enough, else the latest. */
export function historyWindow(
  goodBefore: readonly number[],
  historySize: number,
): Pick<HistoryComparison, 'mode' | 'window'> {
  if (goodBefore.length >= MIN_HISTORY_RUNS)
    return { mode: 'history', window: goodBefore.slice(-historySize) };
  if (goodBefore.length > 0) return { mode: 'last-good', window: goodBefore.slice(-1) };
  return { mode: 'none', window: [] };
}

/**
 * Judges each run (oldest first) against the good runs before it. A good run is complete and
 * met its thresholds; whether it regressed does not matter, since leaving regressed runs out
 * would keep only the lucky side of the noise and narrow the band until every night fails.
 */
export function evaluateHistory(
  runs: readonly { figures: RunFigures; passedThresholds: boolean }[],
  options: HistoryGateOptions,
): HistoryVerdict[] {
  if (!Number.isInteger(options.historySize) || options.historySize < MIN_HISTORY_RUNS) {
    throw new Error(
      `--history-size must be a whole number of at least ${MIN_HISTORY_RUNS}, got ${options.historySize}`,
    );
  }
  const good: number[] = [];
  return runs.map((run, index) => {
    const { mode, window } = historyWindow(good, options.historySize);
    const rows = compareWithHistory(
      run.figures,
      window.map((position) => runs[position]!.figures),
      options.maxRegressionPercent,
    );
    if (run.passedThresholds) good.push(index);
    return { mode, window, rows, regressed: rows.some((row) => row.regressed), good: run.passedThresholds };
  });
}

/** Whether a run is complete and meets its thresholds (the explicit ones, else its own or the default). */
export function passesThresholds(run: RunResult, explicit?: ThresholdConfig): boolean {
  if (run.partial) return false;
  return evaluateThresholds(run, thresholdsForRun(run, explicit)).every((outcome) => outcome.passed);
}

/** Judges every run of a history (oldest first) with the same thresholds and options as the gate. */
export function judgeHistory(
  runs: readonly HistoryRun[],
  options: HistoryGateOptions & { thresholds?: ThresholdConfig },
): HistoryVerdict[] {
  const judged = runs.map((entry) => {
    try {
      return {
        figures: runFigures(entry),
        passedThresholds: passesThresholds(entry.run, options.thresholds),
      };
    } catch (error) {
      throw new Error(`${entry.source}: ${(error as Error).message}`);
    }
  });
  return evaluateHistory(judged, options);
}
