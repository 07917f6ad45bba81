import { defaultQuotaTable, type QuotaTable } from '../quotas/aws-default-quotas.js';
import { LatencyHistogram, mergeEncoded } from './histogram.js';
import { callsPerDevice, projectFleet, projectionInput } from './projection.js';
import type { RunResult, ScenarioResult } from './result-schema.js';
import { buildScenarioSummary } from './summary.js';
import { type ApiCallTally, mergeApiCalls, mergeErrorTallies, mergeSeries, throttlingOf } from './tallies.js';
import { mergeTraffic } from './traffic-stats.js';

function tallies(
  stats: Record<string, Omit<ApiCallTally, 'retries'> & { retries?: Record<string, number> }>,
) {
  return Object.fromEntries(
    Object.entries(stats).map(([api, s]) => [
      api,
      mergeApiCalls({}, { [api]: { ...s, retries: s.retries ?? {} } })[api] as ApiCallTally,
    ]),
  );
}

function mergeScenario(parts: readonly ScenarioResult[], quotas: QuotaTable): ScenarioResult {
  const first = parts[0];
  if (!first) throw new Error('nothing to merge');
  const phaseNames = [...new Set(parts.flatMap((part) => Object.keys(part.phases)))].sort();
  const phases: ScenarioResult['phases'] = {};
  for (const name of phaseNames) {
    const present = parts.flatMap((part) => (part.phases[name] ? [part.phases[name]] : []));
    const errors: Record<string, number> = {};
    for (const phase of present) {
      for (const [errorClass, count] of Object.entries(phase.errors))
        errors[errorClass] = (errors[errorClass] ?? 0) + count;
    }
    phases[name] = { histogram: mergeEncoded(present.map((phase) => phase.histogram)), errors };
  }
  const apiCalls = parts.reduce(
    (into, part) => mergeApiCalls(into, tallies(part.apiCalls)),
    {} as Record<string, ApiCallTally>,
  );
  const setupApiCalls = parts.reduce(
    (into, part) => mergeApiCalls(into, tallies(part.setupApiCalls ?? {})),
    {} as Record<string, ApiCallTally>,
  );
  const timeToConnected = mergeEncoded(parts.map((part) => part.timeToConnected));
  const traffic = mergeTraffic(parts.map((part) => part.traffic));
  // Shards run side by side: the merged run lasts as long as the longest shard.
  const durationMs = Math.max(...parts.map((part) => part.durationMs));
  const failures = new Map<string, number>();
  for (const part of parts) {
    for (const [errorClass, count] of Object.entries(part.summary.errors))
      failures.set(errorClass, (failures.get(errorClass) ?? 0) + count);
  }
  const sum = (pick: (part: ScenarioResult) => number) =>
    parts.reduce((total, part) => total + pick(part), 0);
  const started = sum(
    (part) => part.devicesStarted ?? part.summary.devices.succeeded + part.summary.devices.failed,
  );
  const totalCalls = Object.values(apiCalls).reduce((total, tally) => total + tally.calls, 0);
  const totalAttempts = Object.values(apiCalls).reduce((total, tally) => total + tally.attempts, 0);
  return {
    summary: buildScenarioSummary({
      scenario: first.summary.scenario,
      requested: sum((part) => part.summary.devices.requested),
      succeeded: sum((part) => part.summary.devices.succeeded),
      failed: sum((part) => part.summary.devices.failed),
      durationMs,
      timeToConnected: LatencyHistogram.decode(timeToConnected),
      errors: [...failures].map(([errorClass, count]) => ({ errorClass, count })),
    }),
    title: first.title,
    facts: first.facts,
    variant: first.variant ?? null,
    startedAt: parts.map((part) => part.startedAt).sort()[0] ?? first.startedAt,
    durationMs,
    timeToConnected,
    phases,
    series: mergeSeries(parts.map((part) => part.series)),
    errors: mergeErrorTallies(parts.map((part) => part.errors)),
    apiCalls,
    setupApiCalls,
    devicesStarted: started,
    apiCallsPerDevice: started > 0 ? totalCalls / started : 0,
    attemptsPerDevice: started > 0 ? totalAttempts / started : 0,
    ...(parts.some((part) => part.throttling) ? { throttling: throttlingOf(apiCalls, setupApiCalls) } : {}),
    ...(first.plannedCallsPerDevice ? { plannedCallsPerDevice: first.plannedCallsPerDevice } : {}),
    ...(parts.some((part) => part.prepareFailed) ? { prepareFailed: true } : {}),
    projection: projectFleet(
      projectionInput(callsPerDevice(apiCalls, started), first.plannedCallsPerDevice),
      quotas,
    ),
    ...(traffic ? { traffic } : {}),
    ...(first.iamPolicies ? { iamPolicies: first.iamPolicies } : {}),
  };
}

/**
 * Merges the results of `--shard i/n` runs into one result: counts and series summed, HDR
 * histograms merged exactly, duration = the longest shard (they run in parallel). Refuses to
 * merge the same shard twice or results of different schema versions.
 */
export function mergeRunResults(
  results: readonly RunResult[],
  quotas: QuotaTable = defaultQuotaTable(),
): RunResult {
  const first = results[0];
  if (!first) throw new Error('merge needs at least one result.json');
  const seenShards = new Set<number>();
  for (const result of results) {
    if (!result.shard) continue;
    if (seenShards.has(result.shard.index)) {
      throw new Error(
        `shard ${result.shard.index + 1}/${result.shard.count} appears twice; pass each shard's result once`,
      );
    }
    seenShards.add(result.shard.index);
  }
  const profiles = new Set(results.map((result) => result.network?.profile ?? 'none'));
  if (profiles.size > 1) {
    throw new Error(
      `the results ran on different field links (${[...profiles].join(', ')}): shards of one run share --network; compare runs side by side with provbench report instead`,
    );
  }
  const shardCount = first.shard?.count ?? null;
  const complete =
    shardCount !== null &&
    seenShards.size === shardCount &&
    results.every((r) => r.shard?.count === shardCount);
  const scenarioIds = [
    ...new Set(results.flatMap((result) => result.scenarios.map((s) => s.summary.scenario))),
  ];
  return {
    schemaVersion: first.schemaVersion,
    runId: first.runId,
    startedAt: results.map((result) => result.startedAt).sort()[0] ?? first.startedAt,
    finishedAt:
      results
        .map((result) => result.finishedAt)
        .sort()
        .at(-1) ?? first.finishedAt,
    partial: results.some((result) => result.partial) || (shardCount !== null && !complete),
    ...mergedResumed(results),
    config: { ...first.config, mergedFrom: results.map((result) => result.shard ?? null) },
    environment: first.environment,
    shard: null,
    // Shards of one run share these settings; the caller re-prices the merged figures.
    ...(first.network ? { network: first.network } : {}),
    ...(first.pricing ? { pricing: first.pricing } : {}),
    ...(first.quotaOverrides ? { quotaOverrides: first.quotaOverrides } : {}),
    scenarios: scenarioIds.map((id) =>
      mergeScenario(
        results.flatMap((result) => result.scenarios.filter((s) => s.summary.scenario === id)),
        quotas,
      ),
    ),
  };
}

/** Shards resumed on their own: the merged run was resumed as often as they were, in all. */
function mergedResumed(results: readonly RunResult[]): Pick<RunResult, 'resumed'> {
  const resumed = results.flatMap((result) => (result.resumed ? [result.resumed] : []));
  if (resumed.length === 0) return {};
  return {
    resumed: {
      times: resumed.reduce((sum, r) => sum + r.times, 0),
      rerunDevices: resumed.reduce((sum, r) => sum + r.rerunDevices, 0),
    },
  };
}
