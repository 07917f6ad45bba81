import {
  DATA_RECEIVED_FIGURE,
  DATA_SENT_FIGURE,
  type HistoryRun,
  patternKey,
  type RunFigures,
  runFigures,
} from '../metrics/history-figures.js';
import type { HistoryComparedFigure, HistoryMode, HistoryVerdict } from '../metrics/history-gate.js';

/**
 * What the trend page shows, from a judged history: per pattern, each headline figure over the
 * runs (one point per run), the baseline each point was judged against, and the flagged points.
 */
export const TREND_FIGURES = [
  'devices per second',
  'time to connected p50',
  'time to connected p99',
  'failure rate',
  'API calls per device',
  DATA_SENT_FIGURE,
  DATA_RECEIVED_FIGURE,
] as const;

export interface TrendRun {
  runId: string;
  startedAt: string;
  commit: string | null;
  source: string;
  target: string;
  partial: boolean;
  good: boolean;
  mode: HistoryMode;
  /** How many earlier good runs the run was judged against. */
  windowSize: number;
  regressedFigures: number;
}

export interface TrendSeries {
  figure: string;
  unit: string;
  better: 'lower' | 'higher';
  /** One per entry of the pattern's runIndexes; null where the run lacks the figure. */
  values: (number | null)[];
  /** The median (or latest good value) each point was compared with; null when none. */
  baselines: (number | null)[];
  flagged: boolean[];
}

export interface TrendRegression {
  runIndex: number;
  row: HistoryComparedFigure;
}

export interface TrendPattern {
  key: string;
  title: string;
  /** Indexes into TrendModel.runs of the runs that hold the pattern, oldest first. */
  runIndexes: number[];
  series: TrendSeries[];
}

export interface TrendModel {
  runs: TrendRun[];
  patterns: TrendPattern[];
  regressions: TrendRegression[];
  historySize: number;
  maxRegressionPercent: number;
}

function patternTitles(history: readonly HistoryRun[]): Map<string, string> {
  const titles = new Map<string, string>();
  for (const entry of history) {
    for (const scenario of entry.run.scenarios) {
      const key = patternKey(scenario);
      if (!titles.has(key)) titles.set(key, scenario.title);
    }
  }
  return titles;
}

function seriesOf(
  pattern: string,
  figure: string,
  runIndexes: number[],
  figures: RunFigures[],
  verdicts: readonly HistoryVerdict[],
): TrendSeries | undefined {
  const points = runIndexes.map((index) => figures[index]!.get(pattern)?.get(figure));
  const first = points.find((point) => point !== undefined);
  if (!first) return undefined;
  const rows = runIndexes.map((index) =>
    verdicts[index]!.rows.find((row) => row.scenario === pattern && row.figure === figure),
  );
  return {
    figure,
    unit: first.unit,
    better: first.better,
    values: points.map((point) => point?.value ?? null),
    baselines: rows.map((row) => row?.baseline ?? null),
    flagged: rows.map((row) => row?.regressed ?? false),
  };
}

export function buildTrendModel(
  history: readonly HistoryRun[],
  verdicts: readonly HistoryVerdict[],
  options: { historySize: number; maxRegressionPercent: number },
): TrendModel {
  const figures = history.map(runFigures);
  const runs: TrendRun[] = history.map((entry, index) => ({
    runId: entry.run.runId,
    startedAt: entry.run.startedAt,
    commit: entry.run.environment.commit ?? null,
    source: entry.source,
    target: entry.run.environment.target,
    partial: entry.run.partial,
    good: verdicts[index]!.good,
    mode: verdicts[index]!.mode,
    windowSize: verdicts[index]!.window.length,
    regressedFigures: verdicts[index]!.rows.filter((row) => row.regressed).length,
  }));
  const patterns = [...patternTitles(history)].map(([key, title]) => {
    const runIndexes = figures.flatMap((run, index) => (run.has(key) ? [index] : []));
    const series = TREND_FIGURES.map((figure) => seriesOf(key, figure, runIndexes, figures, verdicts)).filter(
      (one): one is TrendSeries => one !== undefined,
    );
    return { key, title, runIndexes, series };
  });
  const regressions = verdicts.flatMap((verdict, runIndex) =>
    verdict.rows.filter((row) => row.regressed).map((row) => ({ runIndex, row })),
  );
  return { runs, patterns, regressions, ...options };
}
