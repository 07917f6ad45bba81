import type { HistoryRun } from '../../metrics/history-figures.js';
import { judgeHistory, MIN_HISTORY_RUNS } from '../../metrics/history-gate.js';
import type { RunResult } from '../../metrics/result-schema.js';
import type { ThresholdConfig } from '../../metrics/thresholds.js';
import { movedFigures } from '../../report/ci-table.js';
import { loadHistory, readHistoryRun } from '../../report/history-files.js';
import { historyRegressionTable } from '../../report/history-table.js';

/** `ci --history <dir>`: the regression part of the gate, against the last N good runs. */
export interface HistoryGateInput {
  resultPath: string;
  history: string;
  historySize: number;
  maxRegression: number;
  thresholds?: ThresholdConfig;
  skipInvalid?: boolean;
  all?: boolean;
}

function describeRun(entry: HistoryRun): string {
  const commit = entry.run.environment.commit;
  return `${entry.run.runId} (${entry.run.startedAt}${commit ? `, ${commit.slice(0, 12)}` : ''})`;
}

/** Prints the comparison and returns how many figures regressed. */
export async function gateOnHistory(result: RunResult, input: HistoryGateInput): Promise<number> {
  const current = await readHistoryRun(input.resultPath);
  const loaded = await loadHistory([input.history], { skipInvalid: input.skipInvalid });
  for (const file of loaded.skipped) console.error(`provbench ci: skipped ${file.source}: ${file.reason}`);
  const startedAt = Date.parse(result.startedAt);
  const earlier = loaded.runs.filter(
    (entry) => entry.run.runId !== result.runId && Date.parse(entry.run.startedAt) < startedAt,
  );
  const left = loaded.runs.length - earlier.length;
  const verdicts = judgeHistory([...earlier, current], {
    historySize: input.historySize,
    maxRegressionPercent: input.maxRegression,
    thresholds: input.thresholds,
  });
  const verdict = verdicts.at(-1)!;
  const goodRuns = verdicts.slice(0, -1).filter((one) => one.good).length;
  const counted = `${goodRuns} good of ${earlier.length} earlier run(s) read${left ? `; ${left} left out: this run itself or started after it` : ''}`;

  console.log('');
  if (verdict.mode === 'none') {
    console.log(
      `No good run in the history ${input.history} (${counted}): no regression check, thresholds only. A good run is complete, meets its thresholds and did not regress.`,
    );
    return 0;
  }
  const window = verdict.window.map((index) => earlier[index]!);
  if (verdict.mode === 'last-good') {
    console.log(
      `Only ${goodRuns} good run(s) in the history ${input.history} (${counted}); a median needs ${MIN_HISTORY_RUNS}. Falling back to the latest good run, ${describeRun(window[0]!)}, with the --baseline rule (regression limit ${input.maxRegression}%):`,
    );
  } else {
    console.log(
      `Against the history ${input.history}: median of the last ${window.length} good run(s), ${describeRun(window[0]!)} to ${describeRun(window.at(-1)!)} (${counted}).`,
    );
    console.log(
      `A figure regresses when worse than the median by more than ${input.maxRegression}% and by more than the spread of those runs (3 x 1.4826 x median absolute deviation); ${input.all ? 'all figures' : 'figures that moved 1% or more'}:`,
    );
  }
  const shown = input.all ? verdict.rows : movedFigures(verdict.rows);
  console.log(shown.length ? historyRegressionTable(shown) : '(nothing moved)');
  return verdict.rows.filter((row) => row.regressed).length;
}
