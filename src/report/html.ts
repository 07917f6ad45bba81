import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RunResult } from '../metrics/result-schema.js';
import { buildCharts, hasErrors, hasProjection } from './charts.js';
import { escapeMarkup, jsonForScript } from './escape.js';
import { costSection, fieldHeader, profilesSection } from './field-sections.js';
import {
  errorsSection,
  glanceSection,
  latencySection,
  projectionSection,
  qualitativeSection,
  runChangesSection,
  runsSection,
  summarySection,
  timelineSection,
} from './html-sections.js';
import { iamSection } from './iam-section.js';
import { buildReportModel } from './model.js';

/**
 * The self-contained HTML report: chart.js and the drawing script are inlined and a
 * Content-Security-Policy forbids every fetch, so the file opens from disk with no network.
 */

let inlineScripts: string | undefined;

function scriptText(source: string): string {
  // A literal `</script` inside inlined code would end the element early.
  return source.replace(/<\/script/gi, '<\\/script').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
}

function loadInlineScripts(): string {
  if (inlineScripts === undefined) {
    const chartDir = dirname(createRequire(import.meta.url).resolve('chart.js'));
    const chartJs = readFileSync(join(chartDir, 'chart.umd.min.js'), 'utf8');
    const drawCharts = readFileSync(new URL('./browser/draw-charts.js', import.meta.url), 'utf8');
    inlineScripts = `<script>${scriptText(chartJs)}</script>\n<script>${scriptText(drawCharts)}</script>`;
  }
  return inlineScripts;
}

const STYLE = `
:root { color-scheme: light dark; --bg:#ffffff; --fg:#1d2330; --muted:#5b6474; --grid:rgba(0,0,0,0.1);
  --line:#d5dae3; --head:#f2f4f8; --accent:#2f6fb0; --warn-bg:#fff4d6; --warn-fg:#6b4a00; --bad:#b3261e; }
@media (prefers-color-scheme: dark) { :root { --bg:#15181e; --fg:#e4e8ef; --muted:#a3acbb;
  --grid:rgba(255,255,255,0.12); --line:#343a46; --head:#1f242d; --accent:#78aee8; --warn-bg:#3b3012; --warn-fg:#f3d98a; --bad:#ff8a80; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1280px; padding: 1.5rem; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
h3 { margin-top: 1.6rem; }
.muted { color: var(--muted); font-weight: normal; } .bad { color: var(--bad); font-weight: 600; } .pattern { font-weight: 600; }
.warning { background: var(--warn-bg); color: var(--warn-fg); padding: .6rem .8rem; border-radius: 4px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; margin: .5rem 0 1rem; }
caption { text-align: left; color: var(--muted); padding-bottom: .3rem; }
th, td { border: 1px solid var(--line); padding: .35rem .55rem; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; } td.text { text-align: left; overflow-wrap: break-word; }
thead th { background: var(--head); text-align: center; } tbody th { text-align: left; font-weight: normal; min-width: 11rem; }
code { font-size: .85em; word-break: break-word; }
.chart { margin: 1rem 0; } .chart-box { position: relative; height: 340px; }
figcaption { color: var(--muted); text-align: center; font-size: .9rem; }
.chart-pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; }
a { color: var(--accent); }
noscript p { color: var(--muted); }
`;

export interface HtmlReportOptions {
  title?: string;
}

export function renderHtmlReport(runs: readonly RunResult[], options: HtmlReportOptions = {}): string {
  const model = buildReportModel(runs);
  const charts = buildCharts(model);
  const title =
    options.title ??
    (runs.length === 1 ? `provbench run ${runs[0]!.runId}` : `provbench comparison of ${runs.length} runs`);
  const patterns = model.entries.map((entry) => entry.label).join(', ');
  const withErrors = hasErrors(model);
  return reportPage({
    title,
    header: `<p class="muted">Patterns: ${escapeMarkup(patterns)}. Target: ${escapeMarkup([...new Set(model.runs.map((run) => run.target))].join(', '))}. Generated ${escapeMarkup(new Date().toISOString())}.</p>
<p class="muted">${fieldHeader(model)}</p>`,
    main: [
      glanceSection(model),
      summarySection(model),
      profilesSection(model),
      runChangesSection(model),
      qualitativeSection(model),
      iamSection(model),
      projectionSection(model, hasProjection(model)),
      costSection(model),
      latencySection(model),
      timelineSection(model),
      errorsSection(model, withErrors),
      runsSection(model),
    ],
    charts,
  });
}

/** What a self-contained provbench page holds besides its shell (head, styles, scripts). */
export interface ReportPage {
  title: string;
  /** Extra CSS after the shared STYLE. */
  style?: string;
  /** Attributes of <body>, already escaped (e.g. data-* markers for tests). */
  bodyAttributes?: string;
  /** Markup under the <h1>. */
  header: string;
  /** The sections of <main>, in order. */
  main: readonly string[];
  /** The chart definitions the inline script draws. */
  charts: unknown;
}

/** The shell every provbench HTML page shares: no network (CSP), chart.js and our script inline. */
export function reportPage(page: ReportPage): string {
  const body = page.bodyAttributes ? `<body ${page.bodyAttributes}>` : '<body>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="provbench">
<title>${escapeMarkup(page.title)}</title>
<style>${STYLE}${page.style ?? ''}</style>
</head>
${body}
<header><h1>${escapeMarkup(page.title)}</h1>
${page.header}
<noscript><p>Charts need JavaScript; every figure is also in the tables.</p></noscript></header>
<main>
${page.main.join('\n')}
</main>
<script type="application/json" id="report-charts">${jsonForScript(page.charts)}</script>
${loadInlineScripts()}
</body>
</html>
`;
}
