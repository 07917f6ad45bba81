import { CURVE_PERCENTILES, LatencyHistogram } from '../metrics/histogram.js';
import {
  ERROR_CLASSES,
  type RunResult,
  type ScenarioCost,
  type ScenarioResult,
} from '../metrics/result-schema.js';
import { devicesNotRun, failureRate } from '../metrics/summary.js';
import { priceRun } from '../pricing/cost.js';
import { priceTableOf } from '../pricing/overrides.js';

/**
 * What the reports show, computed once from one or more results: summary rows, percentile
 * curves decoded from the HDR histograms, per-second series folded into at most
 * MAX_SERIES_POINTS buckets (so a 100,000-device report stays small), error breakdowns and
 * the fleet projection.
 */
export const MAX_SERIES_POINTS = 300;

export interface LatencyFigures {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface PhaseView extends LatencyFigures {
  name: string;
  curve: number[];
  errors: Record<string, number>;
}

export interface SeriesView {
  bucketSeconds: number;
  /** Seconds since the scenario started, at each bucket's start. */
  seconds: number[];
  startedPerSecond: number[];
  succeededPerSecond: number[];
  failedPerSecond: number[];
}

export interface EntryView {
  label: string;
  /** Position of the scenario among all scenarios reported (drives its colour). */
  scenarioIndex: number;
  /** Position of the entry's run among the runs reported (drives its line style). */
  runIndex: number;
  scenario: string;
  /** The variant run, when the scenario has variants. */
  variant: string | null;
  title: string;
  runId: string;
  target: string;
  partial: boolean;
  requested: number;
  succeeded: number;
  failed: number;
  /** Requested devices that never ran (the scenario's prepare failed, or the run was cut short). */
  notRun: number;
  /** (requested - succeeded) / requested. */
  failureRate: number;
  devicesPerSecond: number;
  timeToConnected: LatencyFigures;
  timeToConnectedCurve: number[];
  apiCallsPerDevice: number;
  attemptsPerDevice: number;
  /** Throttled answers retried, calls failed throttled, waits for quota slots (absent in older results). */
  throttling: ScenarioResult['throttling'];
  phases: PhaseView[];
  series: SeriesView;
  errorsByClass: Record<string, number>;
  errorsByPhase: Record<string, number>;
  errorRecords: ScenarioResult['errors'];
  facts: ScenarioResult['facts'];
  /** The IAM policy each actor of the pattern needs, when the scenario declares them. */
  iamPolicies: ScenarioResult['iamPolicies'];
  projection: ScenarioResult['projection'];
  /** The run's network profile (NETWORK_NOT_RECORDED for runs before profiles). */
  network: string;
  /** Bytes sent plus received per device on the field link (mean), or null if not measured. */
  dataPerDeviceBytes: number | null;
  /** The factory's time per device (the `manufacture` phase), or null when the pattern has none. */
  factory: LatencyFigures | null;
  cost: ScenarioCost | null;
}

/** Shown for results written before network profiles existed (their devices used loopback). */
export const NETWORK_NOT_RECORDED = 'not recorded';

export interface RunView {
  runId: string;
  startedAt: string;
  finishedAt: string;
  partial: boolean;
  /** Continued with --resume after it was cut off (how often, devices run again). */
  resumed: RunResult['resumed'] | null;
  target: string;
  environment: RunResult['environment'];
  shard: RunResult['shard'];
  network: RunResult['network'] | null;
  pricing: RunResult['pricing'] | null;
  quotaOverrides: NonNullable<RunResult['quotaOverrides']>;
  /** What limited the emulator's key supply, when key generation set the pace (result.json keySupply.note). */
  keySupplyNote: string | null;
}

export interface ReportModel {
  runs: RunView[];
  entries: EntryView[];
  percentiles: readonly number[];
  /** Every error class that occurs, taxonomy order first. */
  errorClasses: string[];
  fleetSizes: number[];
  /** Network profiles of the runs, in order of first appearance. */
  profiles: string[];
}

function latencyFigures(histogram: LatencyHistogram): LatencyFigures {
  return { count: histogram.count, ...histogram.summaryMs() };
}

function curveOf(histogram: LatencyHistogram): number[] {
  return CURVE_PERCENTILES.map((percentile) => histogram.percentileMs(percentile));
}

export function foldSeries(series: ScenarioResult['series'], maxPoints = MAX_SERIES_POINTS): SeriesView {
  const lastSecond = series.reduce((last, point) => Math.max(last, point.second), -1);
  const length = lastSecond + 1;
  const bucketSeconds = Math.max(1, Math.ceil(length / maxPoints));
  const buckets = Math.ceil(length / bucketSeconds);
  const started = new Array<number>(buckets).fill(0);
  const succeeded = new Array<number>(buckets).fill(0);
  const failed = new Array<number>(buckets).fill(0);
  for (const point of series) {
    const bucket = Math.floor(point.second / bucketSeconds);
    started[bucket] = (started[bucket] ?? 0) + point.started;
    succeeded[bucket] = (succeeded[bucket] ?? 0) + point.succeeded;
    failed[bucket] = (failed[bucket] ?? 0) + point.failed;
  }
  // The last bucket may be shorter than bucketSeconds.
  const widthOf = (bucket: number) => Math.min(bucketSeconds, length - bucket * bucketSeconds);
  const perSecond = (values: number[]) =>
    values.map((value, bucket) => Math.round((value / widthOf(bucket)) * 1000) / 1000);
  return {
    bucketSeconds,
    seconds: Array.from({ length: buckets }, (_, bucket) => bucket * bucketSeconds),
    startedPerSecond: perSecond(started),
    succeededPerSecond: perSecond(succeeded),
    failedPerSecond: perSecond(failed),
  };
}

/** One-off setup first, device phases in their recorded order, teardown last. */
function orderPhases<T>(phases: [string, T][]): [string, T][] {
  const rank = (name: string) => (name.startsWith('prepare') ? 0 : name.startsWith('teardown') ? 2 : 1);
  return phases
    .map((phase, index) => ({ phase, index }))
    .sort((a, b) => rank(a.phase[0]) - rank(b.phase[0]) || a.index - b.index)
    .map(({ phase }) => phase);
}

function sumBy(records: ScenarioResult['errors'], key: 'errorClass' | 'phase'): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const record of records) sums[record[key]] = (sums[record[key]] ?? 0) + record.count;
  return sums;
}

function entryOf(
  run: RunResult,
  scenario: ScenarioResult,
  label: string,
  position: { scenarioIndex: number; runIndex: number },
): EntryView {
  const timeToConnected = LatencyHistogram.decode(scenario.timeToConnected);
  const { requested, succeeded, failed } = scenario.summary.devices;
  const factoryPhase = scenario.phases.manufacture;
  const traffic = scenario.traffic?.device;
  return {
    label,
    ...position,
    scenario: scenario.summary.scenario,
    variant: scenario.variant ?? null,
    title: scenario.title,
    runId: run.runId,
    target: run.environment.target,
    partial: run.partial,
    requested,
    succeeded,
    failed,
    notRun: devicesNotRun(scenario.summary),
    failureRate: failureRate(scenario.summary),
    devicesPerSecond: scenario.summary.devicesPerSecond,
    timeToConnected: latencyFigures(timeToConnected),
    timeToConnectedCurve: curveOf(timeToConnected),
    apiCallsPerDevice: scenario.apiCallsPerDevice,
    attemptsPerDevice: scenario.attemptsPerDevice,
    throttling: scenario.throttling,
    phases: orderPhases(Object.entries(scenario.phases)).map(([name, phase]) => {
      const histogram = LatencyHistogram.decode(phase.histogram);
      return { name, ...latencyFigures(histogram), curve: curveOf(histogram), errors: phase.errors };
    }),
    series: foldSeries(scenario.series),
    errorsByClass: sumBy(scenario.errors, 'errorClass'),
    errorsByPhase: sumBy(scenario.errors, 'phase'),
    errorRecords: scenario.errors,
    facts: scenario.facts,
    iamPolicies: scenario.iamPolicies,
    projection: scenario.projection,
    network: run.network?.profile ?? NETWORK_NOT_RECORDED,
    dataPerDeviceBytes: traffic ? traffic.bytesSent.mean + traffic.bytesReceived.mean : null,
    factory:
      factoryPhase && factoryPhase.histogram.count > 0
        ? latencyFigures(LatencyHistogram.decode(factoryPhase.histogram))
        : null,
    cost: scenario.cost ?? null,
  };
}

/** Runs written before costs existed are priced with the default table. */
function priced(run: RunResult): RunResult {
  if (run.pricing && run.scenarios.every((scenario) => scenario.cost)) return run;
  return priceRun(run, priceTableOf(run));
}

function entryLabel(id: string, run: RunResult, occurrences: number, profilesDiffer: boolean): string {
  if (occurrences <= 1) return id;
  return profilesDiffer ? `${id} · ${run.network?.profile ?? NETWORK_NOT_RECORDED}` : `${id} · ${run.runId}`;
}

/**
 * Builds the report model. Entries are grouped by scenario (so the same pattern from several
 * runs sits side by side), and a scenario that appears in several runs is labelled with its run id.
 */
export function buildReportModel(given: readonly RunResult[]): ReportModel {
  if (given.length === 0) throw new Error('no results to report; pass at least one result.json');
  const runs = given.map(priced);
  const profiles = [...new Set(runs.map((run) => run.network?.profile ?? NETWORK_NOT_RECORDED))];
  // Label by profile when each run has its own profile; else by run id.
  const profilesDiffer = profiles.length === runs.length && runs.length > 1;
  const scenarioOrder: string[] = [];
  const occurrences = new Map<string, number>();
  for (const run of runs) {
    for (const scenario of run.scenarios) {
      const id = scenario.summary.scenario;
      if (!occurrences.has(id)) scenarioOrder.push(id);
      occurrences.set(id, (occurrences.get(id) ?? 0) + 1);
    }
  }
  const entries = scenarioOrder.flatMap((id, scenarioIndex) =>
    runs.flatMap((run, runIndex) =>
      run.scenarios
        .filter((scenario) => scenario.summary.scenario === id)
        .map((scenario) => {
          const label = entryLabel(id, run, occurrences.get(id) ?? 0, profilesDiffer);
          return entryOf(run, scenario, label, { scenarioIndex, runIndex });
        }),
    ),
  );
  const seenClasses = new Set(entries.flatMap((entry) => Object.keys(entry.errorsByClass)));
  const errorClasses = [
    ...ERROR_CLASSES.filter((name) => seenClasses.has(name)),
    ...[...seenClasses].filter((name) => !(ERROR_CLASSES as readonly string[]).includes(name)).sort(),
  ];
  const fleetSizes = [
    ...new Set(entries.flatMap((entry) => entry.projection.fleets.map((fleet) => fleet.devices))),
  ].sort((a, b) => a - b);
  return {
    runs: runs.map((run) => ({
      runId: run.runId,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      partial: run.partial,
      resumed: run.resumed ?? null,
      target: run.environment.target,
      environment: run.environment,
      shard: run.shard,
      network: run.network ?? null,
      pricing: run.pricing ?? null,
      quotaOverrides: run.quotaOverrides ?? [],
      keySupplyNote: run.keySupply?.note ?? null,
    })),
    entries,
    percentiles: CURVE_PERCENTILES,
    errorClasses,
    fleetSizes,
    profiles,
  };
}
