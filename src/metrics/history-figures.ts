import { LatencyHistogram } from './histogram.js';
import { MIN_PHASE_SAMPLES, SCENARIO_FIGURES } from './regression.js';
import type { RunResult, ScenarioResult } from './result-schema.js';

/**
 * The figures a run's history is judged on, flattened per pattern: the figures `ci --baseline`
 * compares (regression.ts), plus data per device where the run measured traffic.
 */
export interface FigureMeta {
  figure: string;
  unit: string;
  better: 'lower' | 'higher';
  /** Changes at or below this size never count as a regression (0.2 ms → 0.3 ms, say). */
  noiseFloor: number;
}

export interface FigureValue extends FigureMeta {
  value: number;
}

/** Mean bytes one device sent and received, per pattern, when the run counted its traffic. */
export interface DataPerDevice {
  sent?: number;
  received?: number;
}

/** One run of a history: the validated result, where it came from, and its traffic figures. */
export interface HistoryRun {
  run: RunResult;
  source: string;
  /** By pattern key; empty when the run did not count traffic. */
  dataPerDevice: Map<string, DataPerDevice>;
}

/** Pattern key → figure name → value. */
export type RunFigures = Map<string, Map<string, FigureValue>>;

export const DATA_SENT_FIGURE = 'data sent per device';
export const DATA_RECEIVED_FIGURE = 'data received per device';
const BYTES_NOISE_FLOOR = 16;

/** A pattern as the history tracks it: the scenario id with its variant (`krypton:sim-auth`). */
export function patternKey(scenario: ScenarioResult): string {
  return scenario.variant ? `${scenario.summary.scenario}:${scenario.variant}` : scenario.summary.scenario;
}

function phaseFigures(scenario: ScenarioResult): FigureValue[] {
  return Object.entries(scenario.phases)
    .filter(([, phase]) => phase.histogram.count >= MIN_PHASE_SAMPLES)
    .map(([name, phase]) => ({
      figure: `phase ${name} p90`,
      unit: 'ms',
      better: 'lower',
      noiseFloor: 1,
      value: LatencyHistogram.decode(phase.histogram).percentileMs(90),
    }));
}

function dataFigures(data: DataPerDevice | undefined): FigureValue[] {
  const figures: FigureValue[] = [];
  const bytes = (figure: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) {
      figures.push({ figure, unit: 'B', better: 'lower', noiseFloor: BYTES_NOISE_FLOOR, value });
    }
  };
  bytes(DATA_SENT_FIGURE, data?.sent);
  bytes(DATA_RECEIVED_FIGURE, data?.received);
  return figures;
}

export function runFigures(entry: HistoryRun): RunFigures {
  const figures: RunFigures = new Map();
  for (const scenario of entry.run.scenarios) {
    const key = patternKey(scenario);
    const values: FigureValue[] = [
      ...SCENARIO_FIGURES.map(({ read, ...meta }) => ({ ...meta, value: read(scenario) })),
      ...dataFigures(entry.dataPerDevice.get(key)),
      ...phaseFigures(scenario),
    ];
    figures.set(key, new Map(values.map((value) => [value.figure, value])));
  }
  return figures;
}
