import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../metrics/result-schema.js';
import {
  evaluateThresholds,
  type ThresholdConfig,
  type ThresholdOutcome,
  thresholdsForRun,
} from '../metrics/thresholds.js';
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
  const written: WrittenReports = {
    html: join(outDir, 'index.html'),
    junit: join(outDir, 'junit.xml'),
    markdown: join(outDir, 'summary.md'),
  };
  // The HTML does not depend on thresholds: write it even when they cannot be evaluated.
  await writeFile(written.html, renderHtmlReport([result]));
  let outcomes: ThresholdOutcome[];
  try {
    outcomes = evaluateThresholds(result, thresholdsForRun(result, options.thresholds));
  } catch (error) {
    throw new Error(`${written.html} written, but not junit.xml and summary.md: ${(error as Error).message}`);
  }
  await Promise.all([
    writeFile(written.junit, renderJunit(result, outcomes)),
    writeFile(written.markdown, renderMarkdownSummary(result, outcomes)),
  ]);
  return written;
}
