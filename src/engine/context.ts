import type { IoTClient } from '@aws-sdk/client-iot';
import { classifyError, describeError, ProtocolError } from '../contract/errors.js';
import type { IamActor } from '../contract/iam.js';
import type { Ledger } from '../contract/ledger.js';
import { withRetries } from '../contract/retry.js';
import type { CallOptions, IoTEndpoint, Logger, RunContext, ScenarioOptions } from '../contract/scenario.js';
import { type DeviceLink, WIRED_LINK } from '../network/field-link.js';
import type { NetworkProfile } from '../network/profile.js';
import type { ApiCallCounter } from './api-calls.js';
import type { DeviceRecorder } from './recorder.js';

/** What every context of one scenario run in one thread shares. */
export interface ContextBase {
  runId: string;
  scenarioId: string;
  iot: IoTClient;
  /** Other actors' clients (own credentials on the embedded target); absent actors use `iot`. */
  actorClients?: Partial<Record<IamActor, IoTClient>>;
  endpoint: IoTEndpoint;
  ledger: Ledger;
  options: ScenarioOptions;
  log: Logger;
  shared: Record<string, unknown>;
  tags: ReadonlyArray<{ Key: string; Value: string }>;
  recorder: DeviceRecorder;
  /** The counter API calls go to right now (setup vs device calls). */
  counter: () => ApiCallCounter;
  /** The devices' field link; absent: devices connect wired and nothing is counted. */
  network?: NetworkProfile;
}

/** Errors already counted by an inner phase, so an enclosing phase does not count them again. */
const counted = new WeakSet<object>();

function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  return new ProtocolError(`non-error thrown: ${String(error)}`);
}

/**
 * Records `error` against `phase` unless an inner phase already did; returns the error (an
 * Error object, so it can be tracked) for rethrowing.
 */
export function countPhaseError(
  recorder: Pick<DeviceRecorder, 'phaseError'>,
  phase: string,
  error: unknown,
): Error {
  const value = asError(error);
  if (!counted.has(value)) {
    counted.add(value);
    recorder.phaseError(phase, classifyError(value), describeError(value));
  }
  return value;
}

/**
 * A RunContext for one device (or for prepare/teardown with `phasePrefix` "prepare:"). A device
 * gets its own `link`; without one the context's link is the wired, uncounted one.
 */
export function createContext(
  base: ContextBase,
  signal: AbortSignal,
  phasePrefix = '',
  link?: DeviceLink,
): RunContext {
  return {
    runId: base.runId,
    scenarioId: base.scenarioId,
    iot: base.iot,
    iotAs: (actor) => base.actorClients?.[actor] ?? base.iot,
    endpoint: base.endpoint,
    ledger: base.ledger,
    options: base.options,
    log: base.log,
    shared: base.shared,
    tags: base.tags,
    signal,
    link: link ?? WIRED_LINK,
    async phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
      // A stopped or timed-out device starts no new step (a step's own calls run to their end,
      // so what they create reaches the ledger).
      signal.throwIfAborted();
      const phase = `${phasePrefix}${name}`;
      const started = performance.now();
      link?.traffic.enterPhase(phase);
      try {
        const result = await fn();
        base.recorder.phaseTime(phase, performance.now() - started);
        return result;
      } catch (error) {
        // After a timeout or interrupt the engine has already counted the device's failure.
        if (signal.aborted) throw error;
        throw countPhaseError(base.recorder, phase, error);
      } finally {
        link?.traffic.exitPhase(phase);
      }
    },
    call<T>(api: string, fn: (attempt: number) => Promise<T>, options: CallOptions = {}): Promise<T> {
      return withRetries(fn, {
        maxAttempts: options.maxAttempts ?? base.options.maxAttempts,
        observer: base.counter().observer(api),
        signal,
      });
    },
  };
}
