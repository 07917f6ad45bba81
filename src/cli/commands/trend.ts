import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_HISTORY_SIZE, judgeHistory, MIN_HISTORY_RUNS } from '../../metrics/history-gate.js';
import { parseThresholdConfig } from '../../metrics/thresholds.js';
import { loadHistory } from '../../report/history-files.js';
import { readJsonFile } from '../../report/load.js';
import { renderTrendPage } from '../../report/trend-html.js';
import { buildTrendModel } from '../../report/trend-model.js';

/** Exit codes: 0 page written (flagged runs included), 2 the inputs could not be used. */
const TREND_EXIT = { written: 0, badInput: 2 } as const;

interface TrendOptions {
  out: string;
  title?: string;
  historySize: number;
  maxRegression: number;
  thresholds?: string;
  skipInvalid?: boolean;
}

function wholeNumberFrom(minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < minimum)
      throw new InvalidArgumentError(`expected a whole number of at least ${minimum}`);
    return parsed;
  };
}

function percentage(value: string): number {
  const parsed = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new InvalidArgumentError('expected a percentage such as 10');
  return parsed;
}

async function writeTrend(paths: string[], options: TrendOptions): Promise<void> {
  const loaded = await loadHistory(paths, { skipInvalid: options.skipInvalid });
  for (const file of loaded.skipped) console.error(`provbench trend: skipped ${file.source}: ${file.reason}`);
  if (loaded.runs.length === 0) {
    throw new Error(
      `no usable result.json under ${paths.join(', ')}; point at the directory runs were written to`,
    );
  }
  const thresholds = options.thresholds
    ? parseThresholdConfig(await readJsonFile(options.thresholds, 'thresholds'), options.thresholds)
    : undefined;
  const gate = { historySize: options.historySize, maxRegressionPercent: options.maxRegression };
  const verdicts = judgeHistory(loaded.runs, { ...gate, thresholds });
  const model = buildTrendModel(loaded.runs, verdicts, gate);
  const html = renderTrendPage(model, options.title ? { title: options.title } : {});
  await mkdir(dirname(resolve(options.out)), { recursive: true });
  await writeFile(options.out, html);
  const flaggedRuns = new Set(model.regressions.map((regression) => regression.runIndex)).size;
  console.log(
    `wrote ${options.out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, ${model.runs.length} run(s), ${model.patterns.length} pattern(s), ${flaggedRuns} run(s) flagged)`,
  );
}

/** `provbench trend`: a history page of many runs, one point per run, regressions flagged. */
export function trendCommand(): Command {
  return new Command('trend')
    .description(
      'write a self-contained HTML page of figures over many runs (e.g. nightly), regressions flagged',
    )
    .argument('<paths...>', 'result.json files, or directories searched recursively for result.json')
    .option('--out <file>', 'HTML file to write', 'trend.html')
    .option('--title <text>', 'page title')
    .option(
      '--history-size <runs>',
      `good runs before each run whose median it is judged against (at least ${MIN_HISTORY_RUNS})`,
      wholeNumberFrom(MIN_HISTORY_RUNS),
      DEFAULT_HISTORY_SIZE,
    )
    .option(
      '--max-regression <percent>',
      'largest tolerated worsening of a figure, in percent',
      percentage,
      10,
    )
    .option('--thresholds <file>', 'thresholds JSON deciding which runs are good (as for provbench ci)')
    .option('--skip-invalid', 'leave out unreadable or wrong-schema files (warned) instead of failing')
    .action(async (paths: string[], options: TrendOptions) => {
      try {
        await writeTrend(paths, options);
        process.exitCode = TREND_EXIT.written;
      } catch (error) {
        console.error(`provbench trend: ${(error as Error).message}`);
        process.exitCode = TREND_EXIT.badInput;
      }
    });
}
