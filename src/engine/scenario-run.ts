import { describeError, TimeoutError } from '../contract/errors.js';
import { iamActorsKey } from '../contract/iam.js';
import type { Logger, Scenario } from '../contract/scenario.js';
import type { ScenarioResult } from '../metrics/result-schema.js';
import { QuotaPacer } from '../quotas/quota-pacer.js';
import { cleanupFromLedger } from '../targets/cleanup.js';
import { createIoTClient } from '../targets/iot-client.js';
import { FileLedger } from '../targets/ledger.js';
import { ApiCallCounter, instrumentIoTClient, reportingCounter } from './api-calls.js';
import { type ContextBase, countPhaseError, createContext } from './context.js';
import { shiftSeries } from './device-journal.js';
import { type ApiStage, liveScenarioLabel } from './live-metrics.js';
import type { LoadModel } from './load-model.js';
import { createLogger } from './logger.js';
import { MetricsRecorder, type MetricsSnapshot, mergeSnapshots } from './recorder.js';
import { ledgerWriter } from './resume-state.js';
import type { RunConfig, RunProgress } from './run-config.js';
import { buildScenarioResult } from './run-result.js';
import { loadScenario, type ScenarioRef, selectVariant } from './scenario-loader.js';
import { CLEANUP_MAX_ATTEMPTS, cleanupCutOffDevices, restoreStage } from './scenario-resume.js';
import { WorkerPool } from './worker-pool.js';

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

function assertCloneable(shared: Record<string, unknown>, scenarioId: string): void {
  try {
    structuredClone(shared);
  } catch (error) {
    throw new Error(
      `scenario ${scenarioId}: ctx.shared must hold only structured-cloneable values (strings, numbers, plain objects): ${(error as Error).message}`,
    );
  }
}

function emptySnapshot(): MetricsSnapshot {
  return new MetricsRecorder(Date.now()).snapshot({});
}

/**
 * Device code that outlived the grace period after a stop or a timeout was ended with its
 * worker, and its ledger writes after close were refused: both are counted as errors of phase
 * `stop` and said, as what they created may be missing from the ledger.
 */
function reportAbandoned(
  base: ContextBase,
  abandoned: number,
  refusedWrites: number,
  ledgerPath: string,
): void {
  if (abandoned === 0 && refusedWrites === 0) return;
  const sample = `${abandoned} devices' code was still running after the grace period and was abandoned; ${refusedWrites} ledger writes came after the ledger closed and were refused`;
  for (let i = 0; i < abandoned; i++) base.recorder.phaseError('stop:abandoned', 'timeout', sample);
  for (let i = 0; i < refusedWrites; i++)
    base.recorder.phaseError('stop:ledger-closed', 'protocol_error', sample);
  base.log.warn(`${sample}; check with provbench cleanup --ledger ${ledgerPath}`);
}

/** How the run loop sizes one scenario. */
export interface ScenarioPlan {
  /** Devices this shard runs. */
  shardDevices: number;
  /** This shard's load model. */
  model: LoadModel;
  workerCount: number;
  /** 0-based position of the scenario in the run. */
  scenarioNumber: number;
}

export interface ScenarioOutcome {
  result: ScenarioResult;
  interrupted: boolean;
}

/** prepare in the main thread, within its budget; true when it succeeded. */
async function prepareStage(
  scenario: Scenario,
  base: ContextBase,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<boolean> {
  try {
    const prepareBudgetMs = Math.max(PREPARE_MIN_BUDGET_MS, timeoutMs);
    await createContext(base, signal, 'prepare:').phase('total', () =>
      withDeadline(
        scenario.prepare(createContext(base, signal, 'prepare:')),
        prepareBudgetMs,
        `prepare of ${scenario.id} took longer than ${prepareBudgetMs} ms; check the target, or raise --timeout`,
      ),
    );
    assertCloneable(base.shared, scenario.id);
    return true;
  } catch (error) {
    countPhaseError(base.recorder, 'prepare', error);
    base.log.warn(`prepare failed, no device will run: ${describeError(error)}`);
    return false;
  }
}

async function teardownStage(scenario: Scenario, base: ContextBase): Promise<void> {
  const teardownSignal = new AbortController().signal;
  try {
    await createContext(base, teardownSignal, 'teardown:').phase('total', () =>
      scenario.teardown(createContext(base, teardownSignal, 'teardown:')),
    );
  } catch (error) {
    base.log.warn(`teardown failed: ${describeError(error)}`);
  }
}

/** Deletes what the ledger lists, with its own client: not the pattern's work, and more patient. */
async function cleanupStage(
  config: RunConfig,
  counter: ApiCallCounter,
  log: Logger,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  const cleanupIot = instrumentIoTClient(createIoTClient(config.target.iotConfig), {
    maxAttempts: Math.max(config.maxAttempts, CLEANUP_MAX_ATTEMPTS),
    counter: () => counter,
    ...(config.pacer ? { pacer: new QuotaPacer(config.pacer) } : {}),
  });
  const cleanup = await cleanupFromLedger(cleanupIot, config.ledgerPath, {
    concurrency: 4,
    onProgress,
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
  const unattributed = cleanup?.unattributed ?? [];
  if (unattributed.length > 0) {
    log.warn(
      `cleanup could not attribute ${unattributed.length} certificates created during the run (first: ${unattributed[0]?.id}: ${unattributed[0]?.why}); they were left alone: provbench cleanup --ledger ${config.ledgerPath} lists them, add --include-unattributed on a dedicated account`,
    );
  }
  cleanupIot.destroy();
}

/**
 * One scenario's four stages: prepare (main thread), devices (worker threads), teardown, and
 * cleanup from the ledger (unless keepResources). Teardown and cleanup run however the
 * earlier stages ended.
 */
export async function runScenario(
  config: RunConfig,
  ref: ScenarioRef,
  plan: ScenarioPlan,
): Promise<ScenarioOutcome> {
  const scenario = await loadScenario(ref.moduleUrl);
  const variant = selectVariant(scenario, ref.variant);
  const scenarioId = scenario.id;
  let stage: RunProgress['stage'] = 'prepare';
  // The main thread's calls, live too (workers report theirs): labelled with the stage they were made in.
  const liveScenario = liveScenarioLabel(scenarioId, ref.variant);
  const { live } = config;
  const counted = (counter: ApiCallCounter, stageOf: () => ApiStage) =>
    live ? reportingCounter(counter, (api) => live.apiObserver(liveScenario, stageOf(), api)) : counter;
  const setupCounter = counted(new ApiCallCounter(), () => stage);
  const cleanupCounter = counted(new ApiCallCounter(), () => 'cleanup');
  const deviceCounter = counted(new ApiCallCounter(), () => 'devices');
  const tags = [
    { Key: 'provbench:run-id', Value: config.runId },
    { Key: 'provbench:scenario', Value: scenarioId },
  ];
  const clientOptions = {
    maxAttempts: config.maxAttempts,
    counter: () => (stage === 'devices' ? deviceCounter : setupCounter),
    tags: config.target.name === 'aws' ? tags : undefined,
    ...(config.pacer ? { pacer: new QuotaPacer(config.pacer) } : {}),
  };
  // prepare and teardown are the operator's; the activator (if any) has its own client.
  const actorConfigs = config.target.actorIotConfigs?.[iamActorsKey(scenarioId, variant)] ?? {};
  const iot = instrumentIoTClient(
    createIoTClient(actorConfigs.operator ?? config.target.iotConfig),
    clientOptions,
  );
  const actorClients = actorConfigs.activator
    ? { activator: instrumentIoTClient(createIoTClient(actorConfigs.activator), clientOptions) }
    : {};
  const ledger = new FileLedger(
    config.ledgerPath,
    config.runId,
    ledgerWriter(`s${plan.scenarioNumber}m`, config.resume?.attempt),
  );
  // A resumed run: devices earlier attempts finished, and prepare's ctx.shared if still valid.
  const finished = (await config.resume?.finishedIndices(plan.scenarioNumber)) ?? new Set<number>();
  const restored = config.resume?.prepared(plan.scenarioNumber) ?? null;
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
    log: createLogger(scenarioId),
    actorClients,
    shared: {},
    tags,
    recorder,
    counter: () => (stage === 'devices' ? deviceCounter : setupCounter),
  };
  const runSignal = config.signal ?? new AbortController().signal;
  const progress: RunProgress = {
    scenario: scenarioId,
    scenarioNumber: plan.scenarioNumber + 1,
    scenarioCount: config.scenarios.length,
    total: plan.shardDevices - finished.size,
    started: 0,
    succeeded: 0,
    failed: 0,
    stage,
  };
  const report = () => config.onProgress?.({ ...progress, stage });
  report();

  const pool = new WorkerPool(
    config,
    {
      scenarioId,
      scenarioNumber: plan.scenarioNumber,
      moduleUrl: ref.moduleUrl,
      options,
      tags,
      model: plan.model,
      workerCount: plan.workerCount,
      finished,
    },
    (totals) => {
      Object.assign(progress, totals);
      report();
    },
  );
  let workerSnapshots: MetricsSnapshot[] = [];
  let interrupted = false;
  let prepared = false;
  let deviceOriginMs = originMs;
  try {
    prepared = restored
      ? await restoreStage(scenario, base, runSignal, restored)
      : await prepareStage(scenario, base, runSignal, config.timeoutMs);
    if (prepared && !restored) config.resume?.savePrepared(plan.scenarioNumber, base.shared);
    const cutOffCleaned =
      !prepared ||
      !config.resume ||
      (await cleanupCutOffDevices(
        // The harness's own credentials, as the ledger cleanup: cleanup is not the operator's job.
        config.target.iotConfig,
        setupCounter,
        config.ledgerPath,
        config.resume,
        plan.scenarioNumber,
        finished,
        base.log,
        config.target.name === 'embedded',
      ));
    if (!cutOffCleaned) interrupted = true;
    if (!prepared || runSignal.aborted || !cutOffCleaned) pool.dispose();
    if (prepared && !runSignal.aborted && cutOffCleaned) {
      stage = 'devices';
      report();
      const { originMs: devicesFrom, outcome } = await pool.run(base.shared, runSignal);
      deviceOriginMs = devicesFrom;
      workerSnapshots = outcome.snapshots;
      interrupted = outcome.interrupted;
      for (const failure of outcome.failures) {
        base.log.warn(describeError(failure));
        countPhaseError(recorder, 'worker', failure);
      }
      reportAbandoned(base, outcome.abandoned, outcome.refusedLedgerWrites, config.ledgerPath);
    }
  } finally {
    stage = 'teardown';
    report();
    await teardownStage(scenario, base);
    // Once cleanup starts prepare's resources may be gone; a finished scenario needs them no more.
    if (!config.keepResources || !(interrupted || runSignal.aborted))
      config.resume?.forgetPrepared(plan.scenarioNumber);
    if (!config.keepResources) {
      stage = 'cleanup';
      report();
      await cleanupStage(config, cleanupCounter, base.log, (done, total) =>
        config.onProgress?.({ ...progress, stage, cleanup: { done, total } }),
      );
    }
    ledger.close();
    iot.destroy();
    for (const client of Object.values(actorClients)) client.destroy();
  }

  if (workerSnapshots.length === 0) workerSnapshots = [emptySnapshot()];
  const mainSnapshot = recorder.snapshot(deviceCounter.snapshot(), setupCounter.snapshot());
  const current = mergeSnapshots([...workerSnapshots, mainSnapshot]);
  const earlier = await config.resume?.finished(plan.scenarioNumber, deviceOriginMs);
  const merged = earlier
    ? mergeSnapshots([earlier.snapshot, shiftSeries(current, earlier.seconds)])
    : current;
  const result = buildScenarioResult(config, scenario, variant, merged, plan.shardDevices, deviceOriginMs);
  // An interrupted prepare did not fail: the user stopped it.
  if (!prepared && !runSignal.aborted) result.prepareFailed = true;
  return { result, interrupted };
}
