import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../contract/errors.js';
import type { IoTEndpoint, ScenarioOptions } from '../contract/scenario.js';
import type { NetworkProfile } from '../network/profile.js';
import { type PacerShare, QuotaPacer } from '../quotas/quota-pacer.js';
import { createIoTClient, type IoTClientConfig } from '../targets/iot-client.js';
import { FileLedger } from '../targets/ledger.js';
import { ApiCallCounter, instrumentIoTClient } from './api-calls.js';
import { DeviceJournal } from './device-journal.js';
import { DeviceRunner } from './device-runner.js';
import { type DeviceShare, deviceList } from './device-share.js';
import { isEmptyReport, LiveRecorder, type LiveReport } from './live-tally.js';
import { createLogger } from './logger.js';
import { MetricsRecorder, type MetricsSnapshot } from './recorder.js';
import { ledgerWriter } from './resume-state.js';
import { loadScenario } from './scenario-loader.js';

/** What the main thread hands each worker (structured-cloned). */
export interface WorkerInput {
  workerIndex: number;
  /** Position of the scenario in the run: ledger keys must not repeat across scenarios. */
  scenarioNumber: number;
  runId: string;
  scenarioId: string;
  moduleUrl: string;
  iotConfig: IoTClientConfig;
  endpoint: IoTEndpoint;
  options: ScenarioOptions;
  tags: Array<{ Key: string; Value: string }>;
  ledgerPath: string;
  concurrency: number;
  maxInFlight: number;
  /** How long device code may go on after the devices ended or a stop, before it is abandoned. */
  stopGraceMs: number;
  /** Which devices this worker runs; it derives each one (name, SIM, start time) itself. */
  devices: DeviceShare;
  /** The devices' field link. */
  network?: NetworkProfile;
  /** The run's quota schedules (shared memory): the factory's calls take their slots from them. */
  pacer?: PacerShare;
  /** Send a `live` report about every LIVE_INTERVAL_MS (the run serves live metrics). */
  live?: boolean;
  /** A resumable run: where finished devices are journaled, and which attempt of the run this is. */
  journal?: { path: string; attempt: number };
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; started: number; succeeded: number; failed: number }
  | { type: 'live'; report: LiveReport }
  | {
      type: 'done';
      snapshot: MetricsSnapshot;
      interrupted: boolean;
      /** Devices whose code was still running after the grace period (then the worker ended). */
      abandoned: number;
      /** Ledger writes refused because they came after the ledger was closed. */
      refusedLedgerWrites: number;
    }
  | { type: 'fatal'; message: string };

/** `start` carries the epoch ms every worker counts intended start times from. */
export type MainMessage =
  | { type: 'start'; originMs: number; shared: Record<string, unknown> }
  | { type: 'stop' };

const PROGRESS_INTERVAL_MS = 250;
const LIVE_INTERVAL_MS = 1_000;

async function runWorker(input: WorkerInput): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker.ts must run in a worker thread');
  const scenario = await loadScenario(input.moduleUrl);
  const counter = new ApiCallCounter();
  const iot = instrumentIoTClient(createIoTClient(input.iotConfig), {
    maxAttempts: input.options.maxAttempts,
    counter: () => counter,
    tags: input.endpoint.target === 'aws' ? input.tags : undefined,
    ...(input.pacer ? { pacer: new QuotaPacer(input.pacer) } : {}),
  });
  const ledger = new FileLedger(
    input.ledgerPath,
    input.runId,
    ledgerWriter(`s${input.scenarioNumber}w${input.workerIndex}`, input.journal?.attempt),
  );
  const journal = input.journal ? new DeviceJournal(input.journal.path) : undefined;
  const { originMs, shared } = await new Promise<{ originMs: number; shared: Record<string, unknown> }>(
    (resolve) => {
      const onStart = (message: MainMessage) => {
        if (message.type !== 'start') return;
        port.off('message', onStart);
        resolve({ originMs: message.originMs, shared: message.shared });
      };
      port.on('message', onStart);
      port.postMessage({ type: 'ready' } satisfies WorkerMessage);
    },
  );
  const live = input.live ? new LiveRecorder(originMs) : null;
  const recorder = live ?? new MetricsRecorder(originMs);
  const sendLive = () => {
    const report = live?.drain({ tallies: counter.snapshot(), throttled: counter.throttledAnswers() });
    if (report && !isEmptyReport(report)) port.postMessage({ type: 'live', report } satisfies WorkerMessage);
  };
  const runner = new DeviceRunner(
    scenario,
    {
      runId: input.runId,
      scenarioId: input.scenarioId,
      iot,
      endpoint: input.endpoint,
      ledger,
      options: input.options,
      log: createLogger(`${input.scenarioId}#${input.workerIndex}`),
      shared,
      tags: input.tags,
      recorder,
      counter: () => counter,
      network: input.network,
    },
    {
      originMs,
      concurrency: input.concurrency,
      timeoutMs: input.options.timeoutMs,
      maxInFlight: input.maxInFlight,
      ...(journal && input.journal
        ? { journal: { journal, scenario: input.scenarioNumber, attempt: input.journal.attempt } }
        : {}),
    },
  );
  port.on('message', (message: MainMessage) => {
    if (message.type === 'stop') runner.stop();
  });
  const ticker = setInterval(
    () => port.postMessage({ type: 'progress', ...runner.progress } satisfies WorkerMessage),
    PROGRESS_INTERVAL_MS,
  );
  const liveTicker = live ? setInterval(sendLive, LIVE_INTERVAL_MS) : undefined;
  let abandoned = 0;
  try {
    await runner.run(deviceList(input.devices));
  } finally {
    clearInterval(ticker);
    clearInterval(liveTicker);
    // Device code that outlived its device (a stop, a timeout) may still use the ledger and the
    // client: give it the grace period, then close both under whatever is left.
    abandoned = await runner.drain(input.stopGraceMs);
    ledger.close();
    journal?.close();
    iot.destroy();
  }
  // What is left fails fast now; its refused ledger writes are counted before the results go.
  if (abandoned > 0) await runner.drain(input.stopGraceMs);
  port.postMessage({ type: 'progress', ...runner.progress } satisfies WorkerMessage);
  sendLive();
  port.postMessage({
    type: 'done',
    snapshot: recorder.snapshot(counter.snapshot()),
    interrupted: runner.stopped,
    abandoned,
    refusedLedgerWrites: ledger.refusedWrites,
  } satisfies WorkerMessage);
  port.close();
}

runWorker(workerData as WorkerInput).catch((error: unknown) => {
  parentPort?.postMessage({ type: 'fatal', message: describeError(error) } satisfies WorkerMessage);
  parentPort?.close();
});
