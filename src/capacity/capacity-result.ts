import { availableParallelism, totalmem } from 'node:os';
import type { LatencyHistogram } from '../metrics/histogram.js';
import { projectFleet } from '../metrics/projection.js';
import { RESULT_SCHEMA_VERSION, type RunResult, type ScenarioResult } from '../metrics/result-schema.js';
import { buildScenarioSummary } from '../metrics/summary.js';
import { defaultQuotaTable } from '../quotas/aws-default-quotas.js';
import type { BootstrapLoad } from './bootstrap-load.js';
import type { SimSessions } from './sim-sessions.js';
import { errorClassOfStatus } from './status-class.js';

export const CAPACITY_SCENARIO_ID = 'capacity:krypton-bootstrap';

/** What a Krypton-compatible bootstrap service does in AWS IoT per device (the embedded one's plan). */
export const BOOTSTRAP_SERVICE_CALLS: Readonly<Record<string, number>> = {
  'krypton:Bootstrap': 1,
  CreateKeysAndCertificate: 1,
  CreateThing: 1,
  AttachPolicy: 1,
  AttachThingPrincipal: 1,
};

export interface CapacityResultInput {
  runId: string;
  /** SIMs the run meant to use (one bootstrap each). */
  requested: number;
  sessions: SimSessions;
  load: BootstrapLoad;
  target: string;
  config: Record<string, unknown>;
  provbenchVersion: string;
  commit?: string;
}

function sumInto(target: Record<string, number>, key: string, count: number): void {
  if (count > 0) target[key] = (target[key] ?? 0) + count;
}

/**
 * The capacity run as a result.json (one scenario, `capacity:krypton-bootstrap`): a "device" is
 * one SIM's bootstrap request; time to connected is that request's latency (coordinated-omission
 * corrected when paced). SIM authentication is setup, reported as a `prepare:` phase.
 */
export function buildCapacityResult(input: CapacityResultInput): RunResult {
  const { load, sessions } = input;
  const errorCounts: Record<string, number> = {};
  const samples = new Map<string, string>();
  let succeeded = 0;
  for (const outcome of load.outcomes) {
    const errorClass = errorClassOfStatus(outcome.status);
    if (errorClass === null) {
      succeeded++;
      continue;
    }
    sumInto(errorCounts, errorClass, 1);
    if (!samples.has(errorClass)) samples.set(errorClass, `HTTP ${outcome.status} for SIM ${outcome.imsi}`);
  }
  for (const [errorClass, count] of Object.entries(load.transportErrors)) {
    sumInto(errorCounts, errorClass, count);
    if (!samples.has(errorClass)) samples.set(errorClass, `no answer (${errorClass})`);
  }
  const setupErrors: Record<string, number> = {};
  const setupSamples = new Map<string, string>();
  for (const failure of sessions.failures) {
    const errorClass = errorClassOfStatus(failure.status) ?? 'protocol_error';
    sumInto(setupErrors, errorClass, 1);
    if (!setupSamples.has(errorClass))
      setupSamples.set(errorClass, `SIM ${failure.imsi}: ${failure.message}`);
  }
  const failedRequests = Object.values(errorCounts).reduce((sum, count) => sum + count, 0);
  const failed = Math.min(input.requested - succeeded, failedRequests + sessions.failures.length);
  const errors = [
    ...Object.entries(errorCounts).map(([errorClass, count]) => ({
      phase: 'bootstrap',
      errorClass,
      count,
      sample: samples.get(errorClass) ?? '',
    })),
    ...Object.entries(setupErrors).map(([errorClass, count]) => ({
      phase: 'prepare:sim-authentication',
      errorClass,
      count,
      sample: setupSamples.get(errorClass) ?? '',
    })),
  ];
  const summary = buildScenarioSummary({
    scenario: CAPACITY_SCENARIO_ID,
    requested: input.requested,
    succeeded,
    failed,
    durationMs: load.durationMs,
    timeToConnected: load.latency,
    errors,
  });
  const scenario: ScenarioResult = {
    summary,
    title: 'Krypton bootstrap API capacity (autocannon, one SIM per request)',
    facts: {
      factorySteps: [],
      caToOperate: false,
      cloudCompute: null,
      bootstrapApi: 'Krypton POST /v1/provisioning/aws/iot/bootstrap (SIM-authentication path)',
      secretsAtManufacturing: [],
      rootOfIdentity: 'SIM (AKA over the keys API, CK-signed requests)',
    },
    startedAt: load.startedAt.toISOString(),
    durationMs: load.durationMs,
    timeToConnected: load.latency.encode(),
    phases: {
      'prepare:sim-authentication': { histogram: sessions.latency.encode(), errors: setupErrors },
      bootstrap: { histogram: load.serviceTime.encode(), errors: errorCounts },
    },
    series: load.seconds,
    errors,
    apiCalls: { 'krypton:Bootstrap': { calls: load.sent, attempts: load.sent } },
    apiCallsPerDevice: 1,
    setupApiCalls: {
      'keys:Authenticate': {
        calls: sessions.keys.length + sessions.failures.length,
        attempts: sessions.keys.length + sessions.failures.length,
      },
    },
    devicesStarted: load.sent,
    plannedCallsPerDevice: { ...BOOTSTRAP_SERVICE_CALLS },
    variant: 'sim-auth',
    attemptsPerDevice: load.sent > 0 ? 1 : 0,
    projection: projectFleet({ ...BOOTSTRAP_SERVICE_CALLS }, defaultQuotaTable()),
  };
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId: input.runId,
    startedAt: load.startedAt.toISOString(),
    finishedAt: new Date(load.startedAt.getTime() + load.durationMs).toISOString(),
    partial: false,
    config: input.config,
    environment: {
      provbenchVersion: input.provbenchVersion,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: availableParallelism(),
      memoryBytes: totalmem(),
      target: input.target,
      ...(input.commit ? { commit: input.commit } : {}),
    },
    shard: null,
    scenarios: [scenario],
  };
}

/** Percentiles of a histogram for printing. */
export function latencyLine(histogram: LatencyHistogram): string {
  const s = histogram.summaryMs();
  return `p50 ${s.p50.toFixed(1)} ms, p90 ${s.p90.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;
}
