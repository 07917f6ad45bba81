import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_HISTORY_SIZE, MIN_HISTORY_RUNS } from '../../metrics/history-gate.js';
import { compareRuns } from '../../metrics/regression.js';
import { evaluateThresholds, parseThresholdConfig, thresholdsForRun } from '../../metrics/thresholds.js';
import { movedFigures, regressionTable, thresholdTable } from '../../report/ci-table.js';
import { renderJunit } from '../../report/junit.js';
import { readJsonFile, readResultFile } from '../../report/load.js';
import { renderMarkdownSummary } from '../../report/markdown.js';
import { gateOnHistory } from './ci-history.js';

/** Exit codes: 0 pass, 1 a threshold failed or a figure regressed, 2 the inputs could not be used. */
export const CI_EXIT = { pass: 0, gateFailed: 1, badInput: 2 } as const;

interface CiOptions {
  result: string;
  baseline?: string;
  history?: string;
  historySize: number;
  skipInvalid?: boolean;
  maxRegression: number;
  thresholds?: string;
  junit?: string;
  markdown?: string;
  all?: boolean;
}

function percentage(value: string): number {
  const parsed = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new InvalidArgumentError('expected a percentage such as 10');
  return parsed;
}

function historySize(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < MIN_HISTORY_RUNS)
    throw new InvalidArgumentError(`expected a whole number of at least ${MIN_HISTORY_RUNS}`);
  return parsed;
}

async function runGate(options: CiOptions): Promise<number> {
  if (options.baseline && options.history) {
    throw new Error(
      '--baseline and --history both given: gate against one run or against a history, not both',
    );
  }
  const result = await readResultFile(options.result);
  const baseline = options.baseline ? await readResultFile(options.baseline) : undefined;
  const explicit = options.thresholds
    ? parseThresholdConfig(await readJsonFile(options.thresholds, 'thresholds'), options.thresholds)
    : undefined;
  const outcomes = evaluateThresholds(result, thresholdsForRun(result, explicit));
  const failedThresholds = outcomes.filter((outcome) => !outcome.passed);

  console.log(`Thresholds for run ${result.runId}${explicit ? ` (${options.thresholds})` : ''}:`);
  console.log(thresholdTable(outcomes));

  let regressed = 0;
  if (options.history) {
    regressed = await gateOnHistory(result, {
      resultPath: options.result,
      history: options.history,
      historySize: options.historySize,
      maxRegression: options.maxRegression,
      thresholds: explicit,
      skipInvalid: options.skipInvalid,
      all: options.all,
    });
  } else if (baseline) {
    const rows = compareRuns(result, baseline, options.maxRegression);
    regressed = rows.filter((row) => row.regressed).length;
    const shown = options.all ? rows : movedFigures(rows);
    console.log('');
    console.log(
      `Against baseline ${baseline.runId} (regression limit ${options.maxRegression}%; ${options.all ? 'all figures' : 'figures that moved 1% or more'}):`,
    );
    console.log(shown.length ? regressionTable(shown) : '(nothing moved)');
  }

  if (options.junit) {
    await mkdir(dirname(resolve(options.junit)), { recursive: true });
    await writeFile(options.junit, renderJunit(result, outcomes));
  }
  if (options.markdown) {
    await mkdir(dirname(resolve(options.markdown)), { recursive: true });
    // Appends, so it can point at $GITHUB_STEP_SUMMARY.
    await appendFile(options.markdown, renderMarkdownSummary(result, outcomes));
  }

  console.log('');
  if (failedThresholds.length === 0 && regressed === 0 && !result.partial) {
    console.log(
      `PASS: ${outcomes.length} threshold(s) met${baseline || options.history ? ', no regression beyond the limit' : ''}`,
    );
    return CI_EXIT.pass;
  }
  const reasons = [
    result.partial ? 'the run is partial (it ended early): run it to the end' : '',
    failedThresholds.length ? `${failedThresholds.length} threshold(s) failed` : '',
    regressed
      ? `${regressed} figure(s) regressed more than ${options.maxRegression}%${options.history ? ' and the spread of the history' : ''}`
      : '',
  ].filter(Boolean);
  console.log(`FAIL: ${reasons.join('; ')}`);
  return CI_EXIT.gateFailed;
}

/** `provbench ci`: the CI gate over a run's result, its thresholds and a baseline run. */
export function ciCommand(): Command {
  return new Command('ci')
    .description(
      'gate a run for CI: k6-style thresholds and regression against a baseline; exits 1 on failure',
    )
    .requiredOption('--result <file>', 'result.json of the run to check')
    .option('--baseline <file>', 'result.json of the baseline run to compare against')
    .option(
      '--history <dir>',
      'directory of earlier result.json files: compare with the median of the last good runs instead of one baseline',
    )
    .option(
      '--history-size <runs>',
      `how many of the latest good runs of --history make the median (at least ${MIN_HISTORY_RUNS})`,
      historySize,
      DEFAULT_HISTORY_SIZE,
    )
    .option(
      '--skip-invalid',
      'with --history: leave out unreadable or wrong-schema files (warned) instead of failing',
    )
    .option(
      '--max-regression <percent>',
      'largest tolerated worsening of a figure, in percent',
      percentage,
      10,
    )
    .option(
      '--thresholds <file>',
      'thresholds JSON, e.g. {"time_to_connected": ["p(95)<2000"], "device_failures{scenario:jitr}": ["rate<0.01"]}',
    )
    .option('--junit <file>', 'write JUnit XML of the threshold checks')
    .option('--markdown <file>', 'append a markdown summary (e.g. $GITHUB_STEP_SUMMARY)')
    .option('--all', 'list every compared figure, not only those that moved')
    .action(async (options: CiOptions) => {
      try {
        process.exitCode = await runGate(options);
      } catch (error) {
        console.error(`provbench ci: ${(error as Error).message}`);
        process.exitCode = CI_EXIT.badInput;
      }
    });
}
