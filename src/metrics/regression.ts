import { LatencyHistogram } from './histogram.js';
import type { RunResult, ScenarioResult } from './result-schema.js';
import { failureRate } from './summary.js';

/**
 * Run-to-run comparison for CI: each figure of each scenario against the baseline run.
 * A figure regresses when it moved the wrong way by more than `maxRegressionPercent` of the
 * baseline AND by more than its noise floor (so 0.2 ms → 0.3 ms or 0 → 1 failure in 10,000 do
 * not fail a nightly job).
 */
export interface ComparedFigure {
  scenario: string;
  figure: string;
  unit: string;
  better: 'lower' | 'higher';
  baseline: number | null;
  current: number | null;
  /** Relative change in percent of the baseline; null when the baseline is 0 or a side is missing. */
  changePercent: number | null;
  regressed: boolean;
  /** Why the row is notable beyond the numbers (a missing scenario, say). */
  note: string;
}

export interface FigureDefinition {
  figure: string;
  unit: string;
  better: 'lower' | 'higher';
  noiseFloor: number;
  read: (scenario: ScenarioResult) => number;
}

export const SCENARIO_FIGURES: FigureDefinition[] = [
  ...(['p50', 'p90', 'p99'] as const).map(
    (percentile): FigureDefinition => ({
      figure: `time to connected ${percentile}`,
      unit: 'ms',
      better: 'lower',
      noiseFloor: 1,
      read: (scenario) => scenario.summary.timeToConnectedMs[percentile],
    }),
  ),
  {
    figure: 'devices per second',
    unit: '/s',
    better: 'higher',
    noiseFloor: 0.01,
    read: (s) => s.summary.devicesPerSecond,
  },
  {
    figure: 'failure rate',
    unit: '%',
    better: 'lower',
    noiseFloor: 0.1,
    read: (s) => failureRate(s.summary) * 100,
  },
  {
    figure: 'API calls per device',
    unit: '',
    better: 'lower',
    noiseFloor: 0.01,
    read: (s) => s.apiCallsPerDevice,
  },
  {
    figure: 'attempts per device',
    unit: '',
    better: 'lower',
    noiseFloor: 0.01,
    read: (s) => s.attemptsPerDevice,
  },
];

/** Phases with fewer samples (one-off prepare and teardown steps) are too noisy to gate on. */
export const MIN_PHASE_SAMPLES = 20;

function phaseFigures(current: ScenarioResult, baseline: ScenarioResult): FigureDefinition[] {
  const phases = Object.entries(baseline.phases)
    .filter(
      ([phase, result]) =>
        result.histogram.count >= MIN_PHASE_SAMPLES && Object.hasOwn(current.phases, phase),
    )
    .map(([phase]) => phase);
  return phases.map((phase) => ({
    figure: `phase ${phase} p90`,
    unit: 'ms',
    better: 'lower',
    noiseFloor: 1,
    read: (scenario) => {
      const result = scenario.phases[phase];
      return result ? LatencyHistogram.decode(result.histogram).percentileMs(90) : 0;
    },
  }));
}

function compareFigure(
  scenario: string,
  definition: FigureDefinition,
  baseline: number,
  current: number,
  maxRegressionPercent: number,
): ComparedFigure {
  const worsening = definition.better === 'lower' ? current - baseline : baseline - current;
  const changePercent = baseline === 0 ? null : ((current - baseline) / Math.abs(baseline)) * 100;
  const beyondLimit =
    baseline === 0 ? worsening > 0 : (worsening / Math.abs(baseline)) * 100 > maxRegressionPercent;
  return {
    scenario,
    figure: definition.figure,
    unit: definition.unit,
    better: definition.better,
    baseline,
    current,
    changePercent,
    regressed: beyondLimit && worsening > definition.noiseFloor,
    note: '',
  };
}

export function compareRuns(
  current: RunResult,
  baseline: RunResult,
  maxRegressionPercent: number,
): ComparedFigure[] {
  if (!Number.isFinite(maxRegressionPercent) || maxRegressionPercent < 0) {
    throw new Error(`--max-regression must be a non-negative percentage, got ${maxRegressionPercent}`);
  }
  const rows: ComparedFigure[] = [];
  const currentById = new Map(current.scenarios.map((scenario) => [scenario.summary.scenario, scenario]));
  for (const base of baseline.scenarios) {
    const id = base.summary.scenario;
    const now = currentById.get(id);
    if (!now) {
      rows.push({
        scenario: id,
        figure: 'scenario',
        unit: '',
        better: 'higher',
        baseline: base.summary.devices.succeeded,
        current: null,
        changePercent: null,
        regressed: true,
        note: 'missing from this run; run it again or update the baseline',
      });
      continue;
    }
    for (const definition of [...SCENARIO_FIGURES, ...phaseFigures(now, base)]) {
      rows.push(
        compareFigure(id, definition, definition.read(base), definition.read(now), maxRegressionPercent),
      );
    }
  }
  for (const scenario of current.scenarios) {
    const id = scenario.summary.scenario;
    if (!baseline.scenarios.some((base) => base.summary.scenario === id)) {
      rows.push({
        scenario: id,
        figure: 'scenario',
        unit: '',
        better: 'higher',
        baseline: null,
        current: scenario.summary.devices.succeeded,
        changePercent: null,
        regressed: false,
        note: 'new in this run (no baseline)',
      });
    }
  }
  return rows;
}
