import type { ChartSpec } from './charts.js';
import { colourOf } from './charts.js';
import type { TrendModel, TrendPattern, TrendSeries } from './trend-model.js';

/** Chart.js configurations of the trend page (plain JSON, drawn by browser/draw-charts.js). */
const FLAG_COLOUR = '#d62728';
const BASELINE_COLOUR = '#8a8f98';

export function trendChartId(patternIndex: number, figureIndex: number): string {
  return `trend-${patternIndex}-${figureIndex}`;
}

/** "2026-01-05" over the short commit (or the run id when no commit was recorded). */
export function pointLabel(model: TrendModel, runIndex: number): string[] {
  const run = model.runs[runIndex]!;
  const date = run.startedAt.slice(0, 10);
  return [date, run.commit ? run.commit.slice(0, 7) : run.runId];
}

function unitName(unit: string): string {
  if (unit === '/s') return 'per second';
  if (unit === 'B') return 'bytes';
  return unit;
}

/** "time to connected p50 (ms)": the chart's caption. */
export function yTitle(series: Pick<TrendSeries, 'figure' | 'unit'>): string {
  return series.unit && series.unit !== '/s' ? `${series.figure} (${unitName(series.unit)})` : series.figure;
}

function seriesChart(
  model: TrendModel,
  pattern: TrendPattern,
  patternIndex: number,
  series: TrendSeries,
  figureIndex: number,
): ChartSpec {
  const colour = colourOf(patternIndex);
  return {
    id: trendChartId(patternIndex, figureIndex),
    config: {
      type: 'line',
      data: {
        labels: pattern.runIndexes.map((index) => pointLabel(model, index)),
        datasets: [
          {
            label: series.figure,
            data: series.values,
            borderColor: colour,
            backgroundColor: colour,
            pointRadius: 3,
            borderWidth: 2,
            spanGaps: true,
            tension: 0,
          },
          {
            label: 'baseline it was judged against',
            data: series.baselines,
            borderColor: BASELINE_COLOUR,
            backgroundColor: BASELINE_COLOUR,
            borderDash: [6, 4],
            pointRadius: 0,
            borderWidth: 1,
            spanGaps: true,
            tension: 0,
          },
          {
            label: 'flagged as regression',
            data: series.values.map((value, index) => (series.flagged[index] ? value : null)),
            borderColor: FLAG_COLOUR,
            backgroundColor: FLAG_COLOUR,
            showLine: false,
            pointStyle: 'triangle',
            pointRadius: 8,
          },
        ],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 0 } },
          y: { title: { display: series.unit !== '', text: unitName(series.unit) } },
        },
      },
    },
  };
}

export function buildTrendCharts(model: TrendModel): ChartSpec[] {
  return model.patterns.flatMap((pattern, patternIndex) =>
    pattern.series.map((series, figureIndex) =>
      seriesChart(model, pattern, patternIndex, series, figureIndex),
    ),
  );
}
