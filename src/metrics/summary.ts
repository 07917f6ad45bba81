import type { LatencyHistogram } from './histogram.js';
import { ERROR_CLASSES, type ScenarioSummary } from './result-schema.js';

export interface SummaryInput {
  scenario: string;
  requested: number;
  succeeded: number;
  failed: number;
  /** Wall time of the scenario's device phase (first start to last finish). */
  durationMs: number;
  /** Power-on to first acknowledged publish, one value per succeeded device. */
  timeToConnected: LatencyHistogram;
  /** Errors as counted per phase; summed per class here. */
  errors: Iterable<{ errorClass: string; count: number }>;
}

/**
 * Error counts by class: every class of the taxonomy is present (0 when none), so tables and
 * CI gates line up across runs; classes outside the taxonomy are kept as they come.
 */
export function countErrorsByClass(
  errors: Iterable<{ errorClass: string; count: number }>,
): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(ERROR_CLASSES.map((name) => [name, 0]));
  for (const { errorClass, count } of errors) counts[errorClass] = (counts[errorClass] ?? 0) + count;
  return counts;
}

/**
 * Share of the requested devices that did not end provisioned: failed ones and ones that never
 * ran (a scenario whose prepare failed, say). 0 when nothing was requested.
 */
export function failureRate(summary: Pick<ScenarioSummary, 'devices'>): number {
  const { requested, succeeded } = summary.devices;
  return requested === 0 ? 0 : (requested - succeeded) / requested;
}

/** Requested devices that neither succeeded nor failed: they never ran (prepare failed, run cut short). */
export function devicesNotRun(summary: Pick<ScenarioSummary, 'devices'>): number {
  const { requested, succeeded, failed } = summary.devices;
  return Math.max(0, requested - succeeded - failed);
}

/** Builds the `summary` block (docs/design.md, result.json) for one scenario run. */
export function buildScenarioSummary(input: SummaryInput): ScenarioSummary {
  const { requested, succeeded, failed } = input;
  for (const [name, value] of Object.entries({ requested, succeeded, failed })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`summary: ${name} must be a non-negative integer, got ${value}`);
    }
  }
  if (succeeded + failed > requested) {
    throw new Error(
      `summary: succeeded (${succeeded}) + failed (${failed}) exceed requested (${requested}); count each device once`,
    );
  }
  const seconds = input.durationMs / 1000;
  return {
    scenario: input.scenario,
    devices: { requested, succeeded, failed },
    devicesPerSecond: seconds > 0 ? succeeded / seconds : 0,
    timeToConnectedMs: input.timeToConnected.summaryMs(),
    errors: countErrorsByClass(input.errors),
  };
}
