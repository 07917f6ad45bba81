import { availableParallelism, totalmem } from 'node:os';
import type { Scenario } from '../contract/scenario.js';
import { LatencyHistogram } from '../metrics/histogram.js';
import { callsPerDevice, projectFleet, projectionInput } from '../metrics/projection.js';
import { RESULT_SCHEMA_VERSION, type RunResult, type ScenarioResult } from '../metrics/result-schema.js';
import { buildScenarioSummary } from '../metrics/summary.js';
import { throttlingOf } from '../metrics/tallies.js';
import { defaultQuotaTable } from '../quotas/aws-default-quotas.js';
import type { MetricsSnapshot } from './recorder.js';
import { networkOf, type RunConfig } from './run-config.js';

/** The result.json document of a run from its scenarios' results. */
export function buildRunResult(
  config: RunConfig,
  run: { startedAt: string; partial: boolean; workerCount: number; scenarios: ScenarioResult[] },
): RunResult {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId: config.runId,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    partial: run.partial,
    config: {
      ...config.echo,
      devices: config.devices,
      model: config.model,
      quotas: config.quotas,
      seed: config.seed,
      keyType: config.keyType,
      timeoutMs: config.timeoutMs,
      maxAttempts: config.maxAttempts,
      workers: run.workerCount,
      scenarios: config.scenarios.map((ref) => (ref.variant ? `${ref.id}:${ref.variant}` : ref.id)),
    },
    environment: {
      provbenchVersion: config.provbenchVersion ?? '0.0.0',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: availableParallelism(),
      memoryBytes: totalmem(),
      target: config.target.name,
      ...(config.commit ? { commit: config.commit } : {}),
    },
    shard: config.shard ? { index: config.shard.index, count: config.shard.count } : null,
    network: { profile: networkOf(config).name, link: networkOf(config) },
    scenarios: run.scenarios,
  };
}

/** One scenario's result from the merged metrics of its main thread and workers. */
export function buildScenarioResult(
  config: RunConfig,
  scenario: Pick<Scenario, 'id' | 'title' | 'facts' | 'apiPlan' | 'iamPolicies'>,
  variant: string | null,
  merged: MetricsSnapshot,
  requested: number,
  deviceOriginMs: number,
): ScenarioResult {
  const durationMs =
    merged.firstStartMs !== null && merged.lastEndMs !== null ? merged.lastEndMs - merged.firstStartMs : 0;
  const failuresByClass = new Map<string, number>();
  for (const point of merged.series) {
    for (const [errorClass, count] of Object.entries(point.errors)) {
      failuresByClass.set(errorClass, (failuresByClass.get(errorClass) ?? 0) + count);
    }
  }
  const summary = buildScenarioSummary({
    scenario: scenario.id,
    requested,
    succeeded: merged.devices.succeeded,
    failed: merged.devices.failed,
    durationMs,
    timeToConnected: LatencyHistogram.decode(merged.timeToConnected),
    errors: [...failuresByClass].map(([errorClass, count]) => ({ errorClass, count })),
  });
  const started = merged.devices.started;
  const totalCalls = Object.values(merged.apiCalls).reduce((sum, tally) => sum + tally.calls, 0);
  const totalAttempts = Object.values(merged.apiCalls).reduce((sum, tally) => sum + tally.attempts, 0);
  return {
    summary,
    title: scenario.title,
    facts: scenario.facts,
    variant,
    startedAt: new Date(merged.firstStartMs ?? deviceOriginMs).toISOString(),
    durationMs,
    timeToConnected: merged.timeToConnected,
    phases: merged.phases,
    series: merged.series,
    errors: merged.errors,
    apiCalls: merged.apiCalls,
    setupApiCalls: merged.setupApiCalls,
    devicesStarted: started,
    apiCallsPerDevice: started > 0 ? totalCalls / started : 0,
    attemptsPerDevice: started > 0 ? totalAttempts / started : 0,
    throttling: throttlingOf(merged.apiCalls, merged.setupApiCalls),
    ...(scenario.apiPlan ? { plannedCallsPerDevice: { ...scenario.apiPlan.perDevice } } : {}),
    projection: projectFleet(
      projectionInput(callsPerDevice(merged.apiCalls, started), scenario.apiPlan?.perDevice),
      config.projectionQuotas ?? defaultQuotaTable(),
    ),
    ...(merged.traffic ? { traffic: merged.traffic } : {}),
    ...(scenario.iamPolicies ? { iamPolicies: scenario.iamPolicies({ runId: config.runId, variant }) } : {}),
  };
}
