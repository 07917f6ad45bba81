import { availableParallelism, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { LatencyHistogram } from '../metrics/histogram.js';
import { RESULT_SCHEMA_VERSION, type RunResult, type ScenarioResult } from '../metrics/result-schema.js';
import { buildScenarioSummary } from '../metrics/summary.js';
import { defaultQuotaTable, type QuotaTable } from '../quotas/aws-default-quotas.js';
import { cleanupFromLedger } from '../targets/cleanup.js';
import { createIoTClient } from '../targets/iot-client.js';
import { FileLedger } from '../targets/ledger.js';
import type { StartedTarget } from '../targets/target.js';
import { ApiCallCounter, instrumentIoTClient } from './api-calls.js';
import { type ContextBase, countPhaseError, createContext } from './context.js';
import { type DeviceShare, deviceName, shareIndex, shareIndices, shareSize } from './device-share.js';
import { describeError, TimeoutError } from './errors.js';
import { isOpenModel, type LoadModel, shardModel } from './load-model.js';
import { createLogger } from './logger.js';
import { callsPerDevice, projectFleet, projectionInput } from './projection.js';
import { MetricsRecorder, type MetricsSnapshot, mergeSnapshots } from './recorder.js';
import type { KeyType, Scenario, SimIdentity } from './scenario.js';
import { loadScenario, type ScenarioRef, selectVariant } from './scenario-loader.js';
import type { MainMessage, WorkerInput, WorkerMessage } from './worker.js';

const CLEANUP_MAX_ATTEMPTS = 20;
/**
 * A worker's live heap stays near 30 MB however many devices it runs (each lifecycle's objects
 * die young), so V8's default young generation (up to 48 MB per isolate) is mostly slack in
 * RSS. 8 MB measured 26 MB lower harness peak at the same devices/s (bench/fleet-memory.ts).
 */
const WORKER_YOUNG_GENERATION_MB = 8;
/** prepare may take longer than one device (a CA, templates, an activator's connection). */
const PREPARE_MIN_BUDGET_MS = 120_000;

/** Rejects with a TimeoutError when `promise` has not settled within `ms`; does not cancel it. */
function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export interface RunConfig {
  runId: string;
  scenarios: ScenarioRef[];
  devices: number;
  model: LoadModel;
  target: StartedTarget;
  quotas: 'aws' | 'none';
  seed: number;
  keyType: KeyType;
  timeoutMs: number;
  maxAttempts: number;
  shard: Shard | null;
  /** Worker threads; default: available cores. */
  workers?: number;
  ledgerPath: string;
  keepResources: boolean;
  /**
   * SIM identity of device `index` (the same in every shard). Default: SIM `index` of the fleet
   * seeded with `seed` (src/fleet/generate.ts), which each worker derives for its own devices
   * only. A function given here runs in the main thread, and its SIMs are sent to the workers.
   */
  simFor?: (index: number) => SimIdentity;
  /** Aborting stops the run; results so far are kept and marked partial. */
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Settings echoed into result.json `config`. */
  echo?: Record<string, unknown>;
  provbenchVersion?: string;
  /** Source commit recorded in result.json's environment (absent when unknown). */
  commit?: string;
  /** Quota table for the time-to-fleet projection (AWS defaults unless overridden). */
  projectionQuotas?: QuotaTable;
}

export interface RunProgress {
  scenario: string;
  scenarioNumber: number;
  scenarioCount: number;
  total: number;
  started: number;
  succeeded: number;
  failed: number;
  stage: 'prepare' | 'devices' | 'teardown' | 'cleanup';
  /** During cleanup: ledger resources deleted (or failed) so far, of those to delete. */
  cleanup?: { done: number; total: number };
}

export { deviceName };

/** Device indices this shard runs: every `count`-th device starting at `index`. */
export function shardDeviceIndices(devices: number, shard: Shard | null): number[] {
  const share = shareIndices(devices, shard, 0, 1);
  return Array.from({ length: shareSize(share) }, (_, position) => shareIndex(share, position));
}

function assertCloneable(shared: Record<string, unknown>, scenarioId: string): void {
  try {
    structuredClone(shared);
  } catch (error) {
    throw new Error(
      `scenario ${scenarioId}: ctx.shared must hold only structured-cloneable values (strings, numbers, plain objects): ${(error as Error).message}`,
    );
  }
}

/** What worker `workerIndex` needs to derive its devices: a few numbers, not the fleet. */
function workerShare(
  config: RunConfig,
  scenarioId: string,
  arrivalModel: LoadModel | null,
  workerIndex: number,
  workerCount: number,
): DeviceShare {
  const indices = shareIndices(config.devices, config.shard, workerIndex, workerCount);
  const { simFor } = config;
  return {
    ...indices,
    runId: config.runId,
    scenarioId,
    arrivalModel,
    sims: simFor
      ? {
          list: Array.from({ length: shareSize(indices) }, (_, position) =>
            simFor(shareIndex(indices, position)),
          ),
        }
      : { seed: config.seed },
  };
}

interface WorkerOutcome {
  snapshot: MetricsSnapshot;
  interrupted: boolean;
}

/** A worker thread running one share of the devices: `ready` once its scenario loaded, then `start`. */
class DeviceWorker {
  readonly ready: Promise<void>;
  readonly finished: Promise<WorkerOutcome>;
  private readonly worker: Worker;

  constructor(input: WorkerInput, onProgress: (message: WorkerMessage & { type: 'progress' }) => void) {
    // The input is copied into the worker; keep only its number here.
    const { workerIndex } = input;
    this.worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
      workerData: input,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    this.finished = new Promise((resolve, reject) => {
      let outcome: WorkerOutcome | null = null;
      let failure: Error | null = null;
      this.worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') markReady();
        else if (message.type === 'progress') onProgress(message);
        else if (message.type === 'done') {
          outcome = { snapshot: message.snapshot, interrupted: message.interrupted };
          // The scenario may leave handles open (sockets, timers); the results are in, so end it.
          void this.worker.terminate();
        } else failure = new Error(`worker ${workerIndex} failed: ${message.message}`);
      });
      this.worker.on('error', (error) => {
        failure = error;
      });
      this.worker.on('exit', () => {
        markReady();
        if (outcome) resolve(outcome);
        else reject(failure ?? new Error(`worker ${workerIndex} exited without results`));
      });
    });
    this.finished.catch(() => undefined);
  }

  start(originMs: number, shared: Record<string, unknown>): void {
    this.worker.postMessage({ type: 'start', originMs, shared } satisfies MainMessage);
  }

  /** Ends a worker that will not be started (prepare failed, run interrupted). */
  dispose(): void {
    void this.worker.terminate();
  }

  stop(): void {
    this.worker.postMessage({ type: 'stop' } satisfies MainMessage);
  }
}

function emptySnapshot(): MetricsSnapshot {
  return new MetricsRecorder(Date.now()).snapshot({});
}

/**
 * Runs each scenario in turn: prepare (main thread), devices (worker threads), teardown,
 * cleanup from the ledger (unless keepResources). Returns the result.json document;
 * `partial` is true when the signal aborted the run.
 */
export async function runScenarios(config: RunConfig): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const scenarios: ScenarioResult[] = [];
  const shardDevices = shareSize(shareIndices(config.devices, config.shard, 0, 1));
  const modelForShard = shardModel(config.model, config.shard?.count ?? 1);
  const workerCount = Math.max(1, Math.min(config.workers ?? availableParallelism(), shardDevices || 1));
  let partial = false;

  for (const [scenarioNumber, ref] of config.scenarios.entries()) {
    if (config.signal?.aborted) {
      partial = true;
      break;
    }
    const result = await runOneScenario(
      config,
      ref,
      shardDevices,
      modelForShard,
      workerCount,
      scenarioNumber,
    );
    scenarios.push(result.result);
    if (result.interrupted) {
      partial = true;
      break;
    }
  }

  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId: config.runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    partial,
    config: {
      ...config.echo,
      devices: config.devices,
      model: config.model,
      quotas: config.quotas,
      seed: config.seed,
      keyType: config.keyType,
      timeoutMs: config.timeoutMs,
      maxAttempts: config.maxAttempts,
      workers: workerCount,
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
    scenarios,
  };
}

async function runOneScenario(
  config: RunConfig,
  ref: ScenarioRef,
  shardDevices: number,
  model: LoadModel,
  workerCount: number,
  scenarioNumber: number,
): Promise<{ result: ScenarioResult; interrupted: boolean }> {
  const scenario = await loadScenario(ref.moduleUrl);
  const variant = selectVariant(scenario, ref.variant);
  const scenarioId = scenario.id;
  const log = createLogger(scenarioId);
  const setupCounter = new ApiCallCounter();
  const cleanupCounter = new ApiCallCounter();
  const deviceCounter = new ApiCallCounter();
  let stage: RunProgress['stage'] = 'prepare';
  const tags = [
    { Key: 'provbench:run-id', Value: config.runId },
    { Key: 'provbench:scenario', Value: scenarioId },
  ];
  const iot = instrumentIoTClient(createIoTClient(config.target.iotConfig), {
    maxAttempts: config.maxAttempts,
    counter: () => (stage === 'devices' ? deviceCounter : setupCounter),
    tags: config.target.name === 'aws' ? tags : undefined,
  });
  const ledger = new FileLedger(config.ledgerPath, config.runId, `s${scenarioNumber}m`);
  const originMs = Date.now();
  const recorder = new MetricsRecorder(originMs);
  const options = {
    keyType: config.keyType,
    seed: config.seed,
    quotas: config.quotas,
    timeoutMs: config.timeoutMs,
    maxAttempts: config.maxAttempts,
    variant,
    devices: config.devices,
  };
  const base: ContextBase = {
    runId: config.runId,
    scenarioId,
    iot,
    endpoint: config.target.endpoint,
    ledger,
    options,
    log,
    shared: {},
    tags,
    recorder,
    counter: () => (stage === 'devices' ? deviceCounter : setupCounter),
  };
  const runSignal = config.signal ?? new AbortController().signal;
  const progress: RunProgress = {
    scenario: scenarioId,
    scenarioNumber: scenarioNumber + 1,
    scenarioCount: config.scenarios.length,
    total: shardDevices,
    started: 0,
    succeeded: 0,
    failed: 0,
    stage,
  };
  const report = () => config.onProgress?.({ ...progress, stage });
  report();

  // Workers load the scenario (and tsx) while prepare runs; they get ctx.shared with `start`.
  const arrivalModel = isOpenModel(model) ? config.model : null;
  const concurrency = model.kind === 'concurrency' ? model.concurrency : 0;
  const workerProgress = Array.from({ length: workerCount }, () => ({ started: 0, succeeded: 0, failed: 0 }));
  const workers = workerProgress.map(
    (_, workerIndex) =>
      new DeviceWorker(
        {
          workerIndex,
          scenarioNumber,
          runId: config.runId,
          scenarioId,
          moduleUrl: ref.moduleUrl,
          iotConfig: config.target.iotConfig,
          endpoint: config.target.endpoint,
          options,
          tags,
          ledgerPath: config.ledgerPath,
          concurrency: Math.max(
            1,
            Math.floor(concurrency / workerCount) + (workerIndex < concurrency % workerCount ? 1 : 0),
          ),
          maxInFlight: 20_000,
          devices: workerShare(config, scenarioId, arrivalModel, workerIndex, workerCount),
        },
        (message) => {
          workerProgress[workerIndex] = {
            started: message.started,
            succeeded: message.succeeded,
            failed: message.failed,
          };
          progress.started = workerProgress.reduce((sum, p) => sum + p.started, 0);
          progress.succeeded = workerProgress.reduce((sum, p) => sum + p.succeeded, 0);
          progress.failed = workerProgress.reduce((sum, p) => sum + p.failed, 0);
          report();
        },
      ),
  );
  let workerSnapshots: MetricsSnapshot[] = [];
  let interrupted = false;
  let deviceOriginMs = originMs;
  try {
    let prepared = false;
    try {
      const prepareBudgetMs = Math.max(PREPARE_MIN_BUDGET_MS, config.timeoutMs);
      await createContext(base, runSignal, 'prepare:').phase('total', () =>
        withDeadline(
          scenario.prepare(createContext(base, runSignal, 'prepare:')),
          prepareBudgetMs,
          `prepare of ${scenarioId} took longer than ${prepareBudgetMs} ms; check the target, or raise --timeout`,
        ),
      );
      assertCloneable(base.shared, scenarioId);
      prepared = true;
    } catch (error) {
      countPhaseError(recorder, 'prepare', error);
      log.warn(`prepare failed, no device will run: ${describeError(error)}`);
    }
    if (!prepared || runSignal.aborted) {
      for (const worker of workers) worker.dispose();
    }

    if (prepared && !runSignal.aborted) {
      stage = 'devices';
      report();
      await Promise.all(workers.map((worker) => worker.ready));
      // Every worker counts intended start times from the same instant, a moment from now.
      deviceOriginMs = Date.now() + 10;
      for (const worker of workers) worker.start(deviceOriginMs, base.shared);
      const stopAll = () => {
        for (const worker of workers) worker.stop();
      };
      if (runSignal.aborted) stopAll();
      runSignal.addEventListener('abort', stopAll, { once: true });
      const outcomes = await Promise.allSettled(workers.map((worker) => worker.finished));
      runSignal.removeEventListener('abort', stopAll);
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') {
          workerSnapshots.push(outcome.value.snapshot);
          interrupted ||= outcome.value.interrupted;
        } else {
          log.warn(describeError(outcome.reason));
          countPhaseError(recorder, 'worker', outcome.reason);
        }
      }
      interrupted ||= runSignal.aborted;
    }
  } finally {
    stage = 'teardown';
    report();
    const teardownSignal = new AbortController().signal;
    try {
      await createContext(base, teardownSignal, 'teardown:').phase('total', () =>
        scenario.teardown(createContext(base, teardownSignal, 'teardown:')),
      );
    } catch (error) {
      log.warn(`teardown failed: ${describeError(error)}`);
    }
    if (!config.keepResources) {
      stage = 'cleanup';
      report();
      // Its own client: cleanup calls are not the pattern's work, and under quotas they need
      // more patience than device calls.
      const cleanupIot = instrumentIoTClient(createIoTClient(config.target.iotConfig), {
        maxAttempts: Math.max(config.maxAttempts, CLEANUP_MAX_ATTEMPTS),
        counter: () => cleanupCounter,
      });
      const cleanup = await cleanupFromLedger(cleanupIot, config.ledgerPath, {
        concurrency: 4,
        onProgress: (done, total) => config.onProgress?.({ ...progress, stage, cleanup: { done, total } }),
      }).catch((error: unknown) => {
        log.warn(
          `cleanup failed: ${describeError(error)}; rerun: provbench cleanup --ledger ${config.ledgerPath}`,
        );
        return null;
      });
      if (cleanup && cleanup.failed.length > 0) {
        log.warn(
          `cleanup left ${cleanup.failed.length} resources (first: ${cleanup.failed[0]?.kind}: ${cleanup.failed[0]?.message}); rerun: provbench cleanup --ledger ${config.ledgerPath}`,
        );
      }
      cleanupIot.destroy();
    }
    ledger.close();
    iot.destroy();
  }

  if (workerSnapshots.length === 0) workerSnapshots = [emptySnapshot()];
  const mainSnapshot = recorder.snapshot(deviceCounter.snapshot(), setupCounter.snapshot());
  const merged = mergeSnapshots([...workerSnapshots, mainSnapshot]);
  return {
    result: buildScenarioResult(config, scenario, variant, merged, shardDevices, deviceOriginMs),
    interrupted,
  };
}

function buildScenarioResult(
  config: RunConfig,
  scenario: Pick<Scenario, 'id' | 'title' | 'facts' | 'apiPlan'>,
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
    ...(scenario.apiPlan ? { plannedCallsPerDevice: { ...scenario.apiPlan.perDevice } } : {}),
    projection: projectFleet(
      projectionInput(callsPerDevice(merged.apiCalls, started), scenario.apiPlan?.perDevice),
      config.projectionQuotas ?? defaultQuotaTable(),
    ),
  };
}
