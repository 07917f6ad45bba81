import { setMaxListeners } from 'node:events';
import { ClassifiedError, classifyError, TimeoutError } from '../contract/errors.js';
import { sleep } from '../contract/retry.js';
import type { Device, Scenario } from '../contract/scenario.js';
import { DeviceLink } from '../network/field-link.js';
import { deviceClient, teeCounter } from './api-calls.js';
import { type ContextBase, countPhaseError, createContext } from './context.js';
import { type DeviceJournal, DeviceTape } from './device-journal.js';
import type { DeviceAssignment, DeviceList } from './device-share.js';

export interface DeviceRunnerOptions {
  /** Epoch ms of the scenario origin that `offsetMs` counts from. */
  originMs: number;
  /** Closed model: devices in flight in this thread. Ignored when devices carry offsets. */
  concurrency: number;
  timeoutMs: number;
  /** Open model safety valve: beyond this many in flight, starts wait (and lag is measured). */
  maxInFlight: number;
  /** A resumable run: each finished device is journaled with its measurements. */
  journal?: { journal: DeviceJournal; scenario: number; attempt: number };
}

export interface DeviceProgress {
  started: number;
  succeeded: number;
  failed: number;
}

/** Epoch milliseconds with sub-millisecond precision, comparable across threads. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

class Interrupted extends ClassifiedError {
  constructor() {
    super('protocol_error', 'run interrupted');
  }
}

/**
 * Runs device lifecycles (manufacture?, then boot) in this thread and records them. In open
 * models each device starts at its intended time whatever is in flight, and its time to
 * connected includes any lag between intended and actual start.
 */
export class DeviceRunner {
  readonly progress: DeviceProgress = { started: 0, succeeded: 0, failed: 0 };
  private readonly stopController = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  /** Device code still running, counted or not (a timed-out or interrupted device's work goes on until it sees ctx.signal). */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly scenario: Scenario,
    private readonly base: ContextBase,
    private readonly options: DeviceRunnerOptions,
  ) {
    // One listener per device in flight.
    setMaxListeners(0, this.stopController.signal);
  }

  /** Stops starting devices and aborts those in flight; they count neither as succeeded nor failed. */
  stop(): void {
    if (!this.stopController.signal.aborted) this.stopController.abort(new Interrupted());
  }

  get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  /**
   * Waits up to `graceMs` for device code that is still running (after a stop or a timeout) to
   * end; returns how many are still running, abandoned: close the ledger and the client only
   * after this, so late writes are refused instead of reaching a closed (or reused) descriptor.
   */
  async drain(graceMs: number): Promise<number> {
    if (this.running.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled([...this.running]), grace]);
    clearTimeout(timer);
    return this.running.size;
  }

  /** Runs `devices` (made one at a time as they start: nothing is kept once a device ends). */
  async run(devices: DeviceList): Promise<void> {
    const open = devices.length > 0 && devices.at(0)?.offsetMs !== null;
    if (open) await this.runOpen(devices);
    else await this.runClosed(devices);
  }

  private async runOpen(devices: DeviceList): Promise<void> {
    for (let position = 0; position < devices.length; position++) {
      if (this.stopped) break;
      const device = devices.at(position) as DeviceAssignment;
      const intended = this.options.originMs + (device.offsetMs ?? 0);
      const wait = intended - nowMs();
      if (wait > 0.5) await sleep(wait, this.stopController.signal).catch(() => undefined);
      while (this.inFlight.size >= this.options.maxInFlight && !this.stopped)
        await Promise.race(this.inFlight);
      if (this.stopped) break;
      const lifecycle = this.lifecycle(device, intended).finally(() => this.inFlight.delete(lifecycle));
      this.inFlight.add(lifecycle);
    }
    await Promise.all(this.inFlight);
  }

  private async runClosed(devices: DeviceList): Promise<void> {
    let next = 0;
    const slot = async () => {
      while (!this.stopped && next < devices.length) {
        const device = devices.at(next++) as DeviceAssignment;
        await this.lifecycle(device, null);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency) }, slot));
  }

  /** The device's own context base: journaled devices record through a tape. */
  private deviceBase(): { base: ContextBase; tape: DeviceTape | null } {
    if (!this.options.journal) return { base: this.base, tape: null };
    const tape = new DeviceTape(this.base.recorder);
    const counter = this.base.counter;
    const base: ContextBase = {
      ...this.base,
      recorder: tape,
      iot: deviceClient(this.base.iot, tape.apiCalls),
      counter: () => teeCounter(counter(), tape.apiCalls),
    };
    return { base, tape };
  }

  private journal(tape: DeviceTape | null, index: number, end: Parameters<DeviceTape['record']>[1]): void {
    const where = this.options.journal;
    if (!tape || !where) return;
    where.journal.append(tape.record({ scenario: where.scenario, index, attempt: where.attempt }, end));
  }

  private async lifecycle(assignment: DeviceAssignment, intendedMs: number | null): Promise<void> {
    const { base, tape } = this.deviceBase();
    const { recorder } = base;
    const startedAt = nowMs();
    const lagMs = intendedMs === null ? 0 : Math.max(0, startedAt - intendedMs);
    this.progress.started++;
    recorder.deviceStarted(startedAt);
    if (intendedMs !== null) recorder.phaseTime('schedule-lag', lagMs);

    const controller = new AbortController();
    const onStop = () => controller.abort(this.stopController.signal.reason);
    this.stopController.signal.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(
      () =>
        controller.abort(
          new TimeoutError(
            `device ${assignment.name} not connected within ${this.options.timeoutMs} ms; raise --timeout or lower the rate`,
          ),
        ),
      this.options.timeoutMs,
    );
    const link = base.network ? new DeviceLink(base.network, base.options.seed, assignment.index) : undefined;
    const ctx = createContext(base, controller.signal, '', link);
    const device: Device = { index: assignment.index, name: assignment.name, sim: assignment.sim, state: {} };
    let stage: 'manufacture' | 'boot' = this.scenario.manufacture ? 'manufacture' : 'boot';
    let timeToConnectedMs = 0;

    const work = (async () => {
      if (this.scenario.manufacture) {
        const factoryStart = performance.now();
        await this.scenario.manufacture(device, ctx);
        recorder.phaseTime('manufacture', performance.now() - factoryStart);
      }
      stage = 'boot';
      const bootStart = performance.now();
      await this.scenario.boot(device, ctx);
      const bootMs = performance.now() - bootStart;
      recorder.phaseTime('boot', bootMs);
      timeToConnectedMs = bootMs + lagMs;
    })();
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    work.catch(() => undefined);
    aborted.catch(() => undefined);
    const running = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(running);
    void running.then(() => this.running.delete(running));

    try {
      await Promise.race([work, aborted]);
      this.progress.succeeded++;
      const endedAtMs = nowMs();
      recorder.deviceSucceeded(endedAtMs, timeToConnectedMs);
      if (link) recorder.deviceTraffic(link.finish());
      this.journal(tape, assignment.index, { endedAtMs, timeToConnectedMs });
    } catch (error) {
      if (error instanceof Interrupted) return;
      const counted = countPhaseError(recorder, stage, error);
      this.progress.failed++;
      const endedAtMs = nowMs();
      const failure = classifyError(counted);
      recorder.deviceFailed(endedAtMs, failure);
      if (link) recorder.deviceTraffic(link.finish());
      this.journal(tape, assignment.index, { endedAtMs, timeToConnectedMs: 0, failure });
    } finally {
      clearTimeout(timer);
      this.stopController.signal.removeEventListener('abort', onStop);
    }
  }
}
