import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../metrics/result-schema.js';
import { evaluateThresholds, type ThresholdConfig, thresholdsForRun } from '../metrics/thresholds.js';
import { renderHtmlReport } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdownSummary } from './markdown.js';

export interface RunReportOptions {
  /** Thresholds for JUnit and the markdown summary; default: the run's config, else every device must succeed. */
  thresholds?: ThresholdConfig;
}

export interface WrittenReports {
  html: string;
  junit: string;
  markdown: string;
}

/** Writes a run's reports next to its result.json: index.html, junit.xml and summary.md. */
export async function writeRunReports(
  result: RunResult,
  outDir: string,
  options: RunReportOptions = {},
): Promise<WrittenReports> {
  await mkdir(outDir, { recursive: true });
  const outcomes = evaluateThresholds(result, thresholdsForRun(result, options.thresholds));
  const written: WrittenReports = {
    html: join(outDir, 'index.html'),
    junit: join(outDir, 'junit.xml'),
    markdown: join(outDir, 'summary.md'),
  };
  await Promise.all([
    writeFile(written.html, renderHtmlReport([result])),
    writeFile(written.junit, renderJunit(result, outcomes)),
    writeFile(written.markdown, renderMarkdownSummary(result, outcomes)),
  ]);
  return written;
}
