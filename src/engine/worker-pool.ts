import { Worker } from 'node:worker_threads';
import { iamActorsKey } from '../contract/iam.js';
import type { ScenarioOptions } from '../contract/scenario.js';
import type { DeviceProgress } from './device-runner.js';
import { type DeviceShare, remainingShare, shareIndex, shareIndices, shareSize } from './device-share.js';
import { liveScenarioLabel } from './live-metrics.js';
import type { LiveReport } from './live-tally.js';
import { isOpenModel, type LoadModel } from './load-model.js';
import type { MetricsSnapshot } from './recorder.js';
import { networkOf, type RunConfig } from './run-config.js';
import type { MainMessage, WorkerInput, WorkerMessage } from './worker.js';

/**
 * A worker's live heap stays near 30 MB however many devices it runs (each lifecycle's objects
 * die young), so V8's default young generation (up to 48 MB per isolate) is mostly slack in
 * RSS. 8 MB measured 26 MB lower harness peak at the same devices/s (bench/fleet-memory.ts).
 */
const WORKER_YOUNG_GENERATION_MB = 8;
/** Open models: beyond this many devices in flight per worker, starts wait (and lag is measured). */
const MAX_IN_FLIGHT_PER_WORKER = 20_000;

/** Default grace for device code still running after a stop or a timeout (RunConfig.stopGraceMs). */
export const STOP_GRACE_MS = 5_000;

interface WorkerOutcome {
  snapshot: MetricsSnapshot;
  interrupted: boolean;
  abandoned: number;
  refusedLedgerWrites: number;
}

/** A worker thread running one share of the devices: `ready` once its scenario loaded, then `start`. */
class DeviceWorker {
  readonly ready: Promise<void>;
  readonly finished: Promise<WorkerOutcome>;
  private readonly worker: Worker;

  constructor(
    input: WorkerInput,
    onProgress: (message: WorkerMessage & { type: 'progress' }) => void,
    onLive?: (report: LiveReport) => void,
  ) {
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
        else if (message.type === 'live') onLive?.(message.report);
        else if (message.type === 'done') {
          const { snapshot, interrupted, abandoned, refusedLedgerWrites } = message;
          outcome = { snapshot, interrupted, abandoned, refusedLedgerWrites };
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

/** What worker `workerIndex` needs to derive its devices: a few numbers, not the fleet. */
function workerShare(
  config: RunConfig,
  scenario: PoolScenario,
  arrivalModel: LoadModel | null,
  workerIndex: number,
): DeviceShare {
  const { workerCount, finished } = scenario;
  const indices = shareIndices(config.devices, config.shard, workerIndex, workerCount);
  const remaining = finished?.size
    ? remainingShare(config.devices, config.shard, workerIndex, workerCount, finished)
    : undefined;
  const ordered = remaining
    ? remaining.indices
    : Array.from({ length: shareSize(indices) }, (_, position) => shareIndex(indices, position));
  const { simFor } = config;
  return {
    ...indices,
    runId: config.runId,
    scenarioId: scenario.scenarioId,
    arrivalModel,
    sims: simFor ? { list: ordered.map((index) => simFor(index)) } : { seed: config.seed },
    ...(remaining ? { remaining } : {}),
  };
}

/** What the pool's workers need to know about the scenario they run. */
export interface PoolScenario {
  scenarioId: string;
  scenarioNumber: number;
  moduleUrl: string;
  options: ScenarioOptions;
  tags: Array<{ Key: string; Value: string }>;
  /** This shard's load model. */
  model: LoadModel;
  workerCount: number;
  /** A resumed run: devices earlier attempts finished, not run again. */
  finished?: ReadonlySet<number>;
}

export interface PoolOutcome {
  snapshots: MetricsSnapshot[];
  interrupted: boolean;
  /** Workers that ended without results. */
  failures: unknown[];
  /** Devices whose code outlived the grace period and was ended with its worker. */
  abandoned: number;
  /** Ledger writes refused after the workers closed their ledgers. */
  refusedLedgerWrites: number;
}

/**
 * The worker threads of one scenario. They load the scenario (and tsx) as soon as the pool is
 * made, while prepare runs in the main thread, and get ctx.shared with `start`.
 */
export class WorkerPool {
  private readonly workers: DeviceWorker[];
  private readonly progress: DeviceProgress[];
  private readonly live: RunConfig['live'];
  /** The scenario label of the live metrics. */
  private readonly liveScenario: string;
  private readonly plannedDevices: number;

  constructor(config: RunConfig, scenario: PoolScenario, onProgress: (totals: DeviceProgress) => void) {
    const { model, workerCount } = scenario;
    const arrivalModel = isOpenModel(model) ? config.model : null;
    const concurrency = model.kind === 'concurrency' ? model.concurrency : 0;
    this.progress = Array.from({ length: workerCount }, () => ({ started: 0, succeeded: 0, failed: 0 }));
    this.workers = this.progress.map(
      (_, workerIndex) =>
        new DeviceWorker(
          {
            workerIndex,
            scenarioNumber: scenario.scenarioNumber,
            runId: config.runId,
            scenarioId: scenario.scenarioId,
            moduleUrl: scenario.moduleUrl,
            // Devices run the factory step: the factory's own credentials where the target has them.
            iotConfig:
              config.target.actorIotConfigs?.[iamActorsKey(scenario.scenarioId, scenario.options.variant)]
                ?.factory ?? config.target.iotConfig,
            endpoint: config.target.endpoint,
            options: scenario.options,
            tags: scenario.tags,
            ledgerPath: config.ledgerPath,
            concurrency: Math.max(
              1,
              Math.floor(concurrency / workerCount) + (workerIndex < concurrency % workerCount ? 1 : 0),
            ),
            maxInFlight: MAX_IN_FLIGHT_PER_WORKER,
            stopGraceMs: config.stopGraceMs ?? STOP_GRACE_MS,
            devices: workerShare(config, scenario, arrivalModel, workerIndex),
            ...(config.resume
              ? { journal: { path: config.resume.journalPath, attempt: config.resume.attempt } }
              : {}),
            network: networkOf(config),
            ...(config.pacer ? { pacer: config.pacer } : {}),
            live: config.live !== undefined,
          },
          (message) => {
            this.progress[workerIndex] = {
              started: message.started,
              succeeded: message.succeeded,
              failed: message.failed,
            };
            onProgress(this.totals());
          },
          (report) => config.live?.add(this.liveScenario, report),
        ),
    );
    this.live = config.live;
    this.liveScenario = liveScenarioLabel(
      scenario.scenarioId,
      config.scenarios[scenario.scenarioNumber]?.variant,
    );
    this.plannedDevices = shareSize(shareIndices(config.devices, config.shard, 0, 1));
  }

  private totals(): DeviceProgress {
    return {
      started: this.progress.reduce((sum, p) => sum + p.started, 0),
      succeeded: this.progress.reduce((sum, p) => sum + p.succeeded, 0),
      failed: this.progress.reduce((sum, p) => sum + p.failed, 0),
    };
  }

  /** Ends workers that will not be started (prepare failed, run interrupted). */
  dispose(): void {
    for (const worker of this.workers) worker.dispose();
  }

  /**
   * Starts every worker once all have loaded, then waits for their results; aborting `signal`
   * tells them to stop. Returns the device origin (epoch ms) and what the workers reported.
   */
  async run(
    shared: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<{ originMs: number; outcome: PoolOutcome }> {
    await Promise.all(this.workers.map((worker) => worker.ready));
    // Every worker counts intended start times from the same instant, a moment from now.
    const originMs = Date.now() + 10;
    this.live?.scenarioStarted(this.liveScenario, this.plannedDevices);
    for (const worker of this.workers) worker.start(originMs, shared);
    const stopAll = () => {
      for (const worker of this.workers) worker.stop();
    };
    if (signal.aborted) stopAll();
    signal.addEventListener('abort', stopAll, { once: true });
    const settled = await Promise.allSettled(this.workers.map((worker) => worker.finished));
    signal.removeEventListener('abort', stopAll);
    this.live?.scenarioEnded(this.liveScenario);
    const outcome: PoolOutcome = {
      snapshots: [],
      interrupted: signal.aborted,
      failures: [],
      abandoned: 0,
      refusedLedgerWrites: 0,
    };
    for (const result of settled) {
      if (result.status === 'fulfilled') {
        outcome.snapshots.push(result.value.snapshot);
        outcome.interrupted ||= result.value.interrupted;
        outcome.abandoned += result.value.abandoned;
        outcome.refusedLedgerWrites += result.value.refusedLedgerWrites;
      } else {
        outcome.failures.push(result.reason);
      }
    }
    return { originMs, outcome };
  }
}
