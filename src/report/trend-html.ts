import type { HistoryComparedFigure } from '../metrics/history-gate.js';
import { figure } from './ci-table.js';
import { escapeMarkup as e } from './escape.js';
import { reportPage } from './html.js';
import { buildTrendCharts, trendChartId, yTitle } from './trend-charts.js';
import type { TrendModel, TrendPattern, TrendRun } from './trend-model.js';

/**
 * The self-contained trend page (`provbench trend`): the run report's style, chart.js inlined,
 * no network; every figure is in a table too, so it reads without JavaScript.
 */
const TREND_STYLE = `
.trend-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: .5rem 1rem; }
.trend-grid .chart-box { height: 240px; }
tr.regression th, tr.regression td { background: var(--warn-bg); color: var(--warn-fg); }
`;

function table(
  headers: string[],
  rows: { cells: string[]; attributes?: string }[],
  caption?: string,
  textColumns: number[] = [],
): string {
  const head = headers.map((header) => `<th scope="col">${header}</th>`).join('');
  const cell = (text: string, index: number) => {
    if (index === 0) return `<th scope="row">${text}</th>`;
    return `<td class="${textColumns.includes(index) ? 'text' : 'num'}">${text}</td>`;
  };
  const body = rows
    .map((row) => `<tr${row.attributes ?? ''}>${row.cells.map(cell).join('')}</tr>`)
    .join('\n');
  return `<div class="table-wrap"><table>${caption ? `<caption>${caption}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function commitCell(run: TrendRun): string {
  return run.commit ? `<code title="${e(run.commit)}">${e(run.commit.slice(0, 12))}</code>` : '–';
}

function change(row: HistoryComparedFigure): string {
  return row.changePercent === null
    ? '–'
    : `${row.changePercent >= 0 ? '+' : ''}${row.changePercent.toFixed(1)}%`;
}

function ruleText(model: TrendModel): string {
  return `Each run is judged as <code>provbench ci --history</code> would have judged it that night: against the median of the last ${model.historySize} good runs before it (complete, thresholds met), a figure regresses when it is worse by more than ${model.maxRegressionPercent}% and by more than the spread of those runs (a 99.9% prediction bound). With fewer than 3 good runs before it, a run is compared with the latest good one.`;
}

function regressionsSection(model: TrendModel): string {
  if (model.regressions.length === 0) {
    return `<section id="regressions"><h2>Flagged regressions</h2><p>No run regressed.</p></section>`;
  }
  const newestFirst = [...model.regressions].sort((a, b) => b.runIndex - a.runIndex);
  const rows = newestFirst.map(({ runIndex, row }) => {
    const run = model.runs[runIndex]!;
    return {
      attributes: ` class="regression" data-regression data-run="${e(run.runId)}" data-pattern="${e(row.scenario)}" data-figure="${e(row.figure)}"`,
      cells: [
        e(run.startedAt),
        commitCell(run),
        `<code>${e(run.runId)}</code>`,
        `<span class="pattern">${e(row.scenario)}</span>`,
        e(row.note ? `${row.figure}: ${row.note}` : row.figure),
        e(figure(row.current, row.unit)),
        e(figure(row.baseline, row.unit)),
        row.spread === null ? '–' : e(`±${figure(row.spread, row.unit)}`),
        String(row.runs || '–'),
        change(row),
      ],
    };
  });
  const runs = new Set(model.regressions.map((regression) => regression.runIndex)).size;
  return `<section id="regressions"><h2>Flagged regressions</h2>
<p><span class="bad">${model.regressions.length} figure(s) in ${runs} run(s)</span> regressed; they are the triangles in the charts below.</p>
${table(['Started', 'Commit', 'Run', 'Pattern', 'Figure', 'Value', 'Baseline', 'Spread', 'Runs', 'Change'], rows, 'Newest first. Baseline: the median of the good runs counted (or the latest good run when fewer than 3); spread: the band within which a change counts as noise.', [1, 2, 3, 4])}</section>`;
}

function patternSection(model: TrendModel, pattern: TrendPattern, patternIndex: number): string {
  const last = pattern.runIndexes.length - 1;
  const rows = pattern.series.map((series) => ({
    cells: [
      e(series.figure),
      e(figure(series.values[last] ?? null, series.unit)),
      e(figure(series.baselines[last] ?? null, series.unit)),
      e(series.better),
      String(series.flagged.filter(Boolean).length),
    ],
  }));
  const charts = pattern.series
    .map((series, figureIndex) => {
      const flagged = series.flagged.filter(Boolean).length;
      const caption = `${pattern.key}: ${yTitle(series)}${flagged ? `, ${flagged} flagged` : ''}`;
      return `<figure class="chart" data-figure="${e(series.figure)}" data-flagged="${flagged}"><div class="chart-box"><canvas id="${trendChartId(patternIndex, figureIndex)}" role="img" aria-label="${e(caption)}"></canvas></div><figcaption>${e(caption)}</figcaption></figure>`;
    })
    .join('');
  const everyRun = [...pattern.runIndexes].reverse().map((runIndex) => {
    const point = pattern.runIndexes.indexOf(runIndex);
    const run = model.runs[runIndex]!;
    return {
      cells: [
        e(run.startedAt),
        commitCell(run),
        ...pattern.series.map((series) => {
          const value = e(figure(series.values[point] ?? null, series.unit));
          return series.flagged[point] ? `<span class="bad">${value} ▲</span>` : value;
        }),
      ],
    };
  });
  return `<section class="trend-pattern" id="pattern-${patternIndex}" data-pattern="${e(pattern.key)}"><h2><span class="pattern">${e(pattern.key)}</span> <span class="muted">${e(pattern.title)}</span></h2>
${table(['Figure', 'Latest run', 'Its baseline', 'Better', 'Runs flagged'], rows, `${pattern.runIndexes.length} run(s) hold this pattern.`, [3])}
<p class="muted">Solid line: the figure, one point per run (date and commit below); dashed: the baseline it was judged against; red triangle: flagged as a regression.</p>
<div class="trend-grid">${charts}</div>
<details><summary>Every run (newest first; ▲ flagged)</summary>${table(['Started', 'Commit', ...pattern.series.map((series) => e(series.figure))], everyRun)}</details></section>`;
}

function runsSection(model: TrendModel): string {
  const status = (run: TrendRun) =>
    run.partial ? 'partial' : !run.good ? 'thresholds failed' : run.regressedFigures ? 'regressed' : 'good';
  const judged = (run: TrendRun) =>
    run.mode === 'history'
      ? `median of ${run.windowSize}`
      : run.mode === 'last-good'
        ? 'latest good run'
        : 'nothing (no good run before)';
  const rows = [...model.runs].reverse().map((run) => ({
    attributes: run.regressedFigures ? ' class="regression"' : '',
    cells: [
      e(run.startedAt),
      commitCell(run),
      `<code>${e(run.runId)}</code>`,
      e(run.target),
      e(status(run)),
      e(judged(run)),
      `<code>${e(run.source)}</code>`,
    ],
  }));
  return `<section id="runs"><h2>Runs</h2>${table(['Started', 'Commit', 'Run', 'Target', 'Status', 'Judged against', 'File'], rows, 'Newest first.', [1, 2, 3, 4, 5, 6])}</section>`;
}

export function renderTrendPage(model: TrendModel, options: { title?: string } = {}): string {
  const first = model.runs[0];
  const last = model.runs.at(-1);
  const title = options.title ?? `provbench trend of ${model.runs.length} run(s)`;
  const span = first && last ? `${first.startedAt} to ${last.startedAt}` : 'no runs';
  return reportPage({
    title,
    style: TREND_STYLE,
    bodyAttributes: `data-runs="${model.runs.length}" data-regressions="${model.regressions.length}"`,
    header: `<p class="muted">${e(span)}. Patterns: ${e(model.patterns.map((pattern) => pattern.key).join(', '))}. Generated ${e(new Date().toISOString())}.</p>
<p>${ruleText(model)}</p>`,
    main: [
      regressionsSection(model),
      ...model.patterns.map((pattern, index) => patternSection(model, pattern, index)),
      runsSection(model),
    ],
    charts: buildTrendCharts(model),
  });
}
