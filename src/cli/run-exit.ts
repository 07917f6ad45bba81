import type { RunResult } from '../metrics/result-schema.js';
import { evaluateThresholds, type ThresholdOutcome, thresholdsForRun } from '../metrics/thresholds.js';
import { EXIT_BAD_INPUT } from './options.js';

/**
 * Exit codes of `provbench run` (docs/running.md "Exit codes"). 99 is k6's code for failed
 * thresholds; 107 is k6's for an exception in setup(), which prepare is; an interrupted run
 * exits as shells report a signal, 128 + its number.
 */
export const RUN_EXIT = {
  ok: 0,
  /** Something went wrong that is not the run's outcome: the target did not start, say. */
  error: 1,
  badInput: EXIT_BAD_INPUT,
  thresholdsFailed: 99,
  prepareFailed: 107,
  interruptedBySigint: 130,
  interruptedBySigterm: 143,
} as const;

export interface RunVerdict {
  exitCode: number;
  /** One line for the terminal, or null when all is well. */
  message: string | null;
  thresholds: ThresholdOutcome[];
}

/**
 * Decides the exit code of a finished run: interrupted first (its figures are partial), then a
 * scenario whose prepare failed, then the thresholds (the run's own, else every device
 * provisioned: device_failures rate==0, as provbench ci).
 */
export function runVerdict(result: RunResult, stoppedBy: NodeJS.Signals | null): RunVerdict {
  if (result.partial || stoppedBy) {
    return {
      exitCode: stoppedBy === 'SIGTERM' ? RUN_EXIT.interruptedBySigterm : RUN_EXIT.interruptedBySigint,
      message: 'the run was interrupted: its figures are partial',
      thresholds: [],
    };
  }
  const unprepared = result.scenarios.filter((scenario) => scenario.prepareFailed);
  if (unprepared.length > 0) {
    const names = unprepared
      .map((scenario) =>
        scenario.variant ? `${scenario.summary.scenario}:${scenario.variant}` : scenario.summary.scenario,
      )
      .join(', ');
    return {
      exitCode: RUN_EXIT.prepareFailed,
      message: `prepare failed for ${names}, so its devices never ran: see the prepare errors above and in result.json`,
      thresholds: [],
    };
  }
  const thresholds = evaluateThresholds(result, thresholdsForRun(result));
  const failed = thresholds.filter((outcome) => !outcome.passed);
  if (failed.length > 0) {
    const first = failed[0] as ThresholdOutcome;
    return {
      exitCode: RUN_EXIT.thresholdsFailed,
      message: `${failed.length} threshold(s) failed (first: ${first.scenario} ${first.metric} ${first.expression}, actual ${first.actual}${first.unit}): provbench ci --result <result.json> shows them all`,
      thresholds,
    };
  }
  return { exitCode: RUN_EXIT.ok, message: null, thresholds };
}
