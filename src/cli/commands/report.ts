import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import type { RunResult } from '../../metrics/result-schema.js';
import { evaluateThresholds, parseThresholdConfig, thresholdsForRun } from '../../metrics/thresholds.js';
import { priceRun } from '../../pricing/cost.js';
import { loadPriceOverrides, PricingInputError, priceTableOf } from '../../pricing/overrides.js';
import { renderHtmlReport } from '../../report/html.js';
import { renderJunit } from '../../report/junit.js';
import { readJsonFile, readResultFile } from '../../report/load.js';
import { renderMarkdownSummary } from '../../report/markdown.js';
import { UsageError } from '../options.js';

interface ReportOptions {
  out?: string;
  title?: string;
  junit?: string;
  markdown?: string;
  thresholds?: string;
  pricing?: string;
}

/** Re-prices each run with its own price table plus the --pricing overrides. */
async function reprice(results: RunResult[], file: string): Promise<RunResult[]> {
  try {
    return await Promise.all(
      results.map(async (result) => priceRun(result, await loadPriceOverrides(priceTableOf(result), file))),
    );
  } catch (error) {
    if (error instanceof PricingInputError) throw new UsageError(error.message);
    throw error;
  }
}

async function writeOutput(path: string, content: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, content);
}

/** `provbench report`: one HTML report for one run, or a side-by-side comparison of several. */
export function reportCommand(): Command {
  return new Command('report')
    .description('write a self-contained HTML report of one result.json, or compare several side by side')
    .argument('<results...>', 'result.json files written by provbench run')
    .option(
      '--out <file>',
      'HTML file to write (default: index.html next to a single result, else comparison.html)',
    )
    .option('--title <text>', 'report title')
    .option('--junit <file>', 'also write JUnit XML (single result only)')
    .option('--markdown <file>', 'also write a markdown summary (single result only)')
    .option('--thresholds <file>', 'thresholds JSON for --junit/--markdown (k6 style)')
    .option('--pricing <file>', 're-price the runs: JSON price overrides over the table each run used')
    .action(async (paths: string[], options: ReportOptions) => {
      const read = await Promise.all(paths.map((path) => readResultFile(path)));
      const results = options.pricing ? await reprice(read, options.pricing) : read;
      const out =
        options.out ?? (results.length === 1 ? join(dirname(paths[0]!), 'index.html') : 'comparison.html');
      const html = renderHtmlReport(results, options.title ? { title: options.title } : {});
      await writeOutput(out, html);
      console.log(
        `wrote ${out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, ${results.length} run(s))`,
      );
      if (options.junit || options.markdown) {
        if (results.length !== 1) {
          throw new Error('--junit and --markdown describe one run; pass a single result.json with them');
        }
        const result = results[0]!;
        const explicit = options.thresholds
          ? parseThresholdConfig(await readJsonFile(options.thresholds, 'thresholds'), options.thresholds)
          : undefined;
        const outcomes = evaluateThresholds(result, thresholdsForRun(result, explicit));
        if (options.junit) {
          await writeOutput(options.junit, renderJunit(result, outcomes));
          console.log(`wrote ${options.junit}`);
        }
        if (options.markdown) {
          await writeOutput(options.markdown, renderMarkdownSummary(result, outcomes));
          console.log(`wrote ${options.markdown}`);
        }
      }
    });
}
