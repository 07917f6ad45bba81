import type { IoTClient } from '@aws-sdk/client-iot';
import { type AttemptObserver, THROTTLING_BACKOFF, withRetries } from '../contract/retry.js';
import type { ErrorClass } from '../metrics/result-schema.js';
import type { ApiCallTally } from '../metrics/tallies.js';
import type { QuotaPacer } from '../quotas/quota-pacer.js';

/**
 * Counts logical calls and attempts per API name. `calls` counts `fn` invocations, `attempts`
 * every try including our retries, so attempts - calls is the retry count (never hidden).
 */
export class ApiCallCounter {
  private readonly tallies = new Map<string, ApiCallTally>();

  observer(api: string): AttemptObserver {
    const tally = this.tally(api);
    return {
      attempt: (attempt) => {
        if (attempt === 1) tally.calls++;
        tally.attempts++;
      },
      retry: (errorClass: ErrorClass) => {
        tally.retries[errorClass] = (tally.retries[errorClass] ?? 0) + 1;
      },
      gaveUp: (errorClass: ErrorClass) => {
        tally.failed ??= {};
        tally.failed[errorClass] = (tally.failed[errorClass] ?? 0) + 1;
      },
    };
  }

  /** An attempt of `api` that waited `waitMs` for its slot under the account's quota. */
  paced(api: string, waitMs: number): void {
    if (waitMs <= 0) return;
    const tally = this.tally(api);
    tally.pacedAttempts = (tally.pacedAttempts ?? 0) + 1;
    tally.pacedWaitMs = (tally.pacedWaitMs ?? 0) + waitMs;
  }

  /** Throttled answers per API: those retried and those that ended their call. */
  throttledAnswers(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [api, tally] of this.tallies) {
      const count = (tally.retries.throttled ?? 0) + (tally.failed?.throttled ?? 0);
      if (count > 0) out[api] = count;
    }
    return out;
  }

  private tally(api: string): ApiCallTally {
    let tally = this.tallies.get(api);
    if (!tally) {
      tally = { calls: 0, attempts: 0, retries: {} };
      this.tallies.set(api, tally);
    }
    return tally;
  }

  /** Counts into this counter and into `also` (a device's own count, for the device journal). */
  observerWith(api: string, also: ApiCallCounter): AttemptObserver {
    const mine = this.observer(api);
    const theirs = also.observer(api);
    return {
      attempt: (attempt) => {
        mine.attempt(attempt);
        theirs.attempt(attempt);
      },
      retry: (errorClass, delayMs, error) => {
        mine.retry(errorClass, delayMs, error);
        theirs.retry(errorClass, delayMs, error);
      },
      gaveUp: (errorClass, error) => {
        mine.gaveUp?.(errorClass, error);
        theirs.gaveUp?.(errorClass, error);
      },
    };
  }

  snapshot(): Record<string, ApiCallTally> {
    const out: Record<string, ApiCallTally> = {};
    for (const [api, tally] of [...this.tallies].sort(([a], [b]) => a.localeCompare(b))) {
      out[api] = {
        calls: tally.calls,
        attempts: tally.attempts,
        retries: { ...tally.retries },
        ...(tally.failed ? { failed: { ...tally.failed } } : {}),
        ...(tally.pacedAttempts
          ? { pacedAttempts: tally.pacedAttempts, pacedWaitMs: tally.pacedWaitMs }
          : {}),
      };
    }
    return out;
  }
}

/** Commands sent through a device's client (deviceClient), with that device's own counter. */
const deviceCounters = new WeakMap<object, ApiCallCounter>();
/** The AbortSignal a command was sent with (send's abortSignal option), so its pacing wait ends with it. */
const commandSignals = new WeakMap<object, AbortSignal>();

/**
 * A view of `iot` for one device: what it sends is counted as usual and also in `counter`, so
 * the device's own calls can be recorded with it (the device journal of a resumable run).
 */
export function deviceClient(iot: IoTClient, counter: ApiCallCounter): IoTClient {
  const send = (command: object, ...rest: unknown[]) => {
    deviceCounters.set(command, counter);
    const signal = (rest[0] as { abortSignal?: AbortSignal } | undefined)?.abortSignal;
    if (signal) commandSignals.set(command, signal);
    return (iot.send as (...args: unknown[]) => unknown)(command, ...rest);
  };
  return Object.create(iot, { send: { value: send } }) as IoTClient;
}

/** Counts into `counter` and into a device's own `also` (its ctx.call calls). */
export function teeCounter(counter: ApiCallCounter, also: ApiCallCounter): ApiCallCounter {
  return Object.create(counter, {
    observer: { value: (api: string) => counter.observerWith(api, also) },
  }) as ApiCallCounter;
}

/** One observer that tells two. */
function bothObservers(first: AttemptObserver, second: AttemptObserver): AttemptObserver {
  return {
    attempt: (attempt) => {
      first.attempt(attempt);
      second.attempt(attempt);
    },
    retry: (errorClass, delayMs, error) => {
      first.retry(errorClass, delayMs, error);
      second.retry(errorClass, delayMs, error);
    },
    gaveUp: (errorClass, error) => {
      first.gaveUp?.(errorClass, error);
      second.gaveUp?.(errorClass, error);
    },
  };
}

/** Counts into `counter` and tells `report(api)` of every attempt too (the live metrics). */
export function reportingCounter(
  counter: ApiCallCounter,
  report: (api: string) => AttemptObserver,
): ApiCallCounter {
  return Object.create(counter, {
    observer: { value: (api: string) => bothObservers(counter.observer(api), report(api)) },
  }) as ApiCallCounter;
}

export interface InstrumentOptions {
  maxAttempts: number;
  /** Which counter a call goes to at the moment it is sent (setup vs device calls). */
  counter: () => ApiCallCounter;
  /** Tags injected into create calls that accept them (real AWS only). */
  tags?: ReadonlyArray<{ Key: string; Value: string }>;
  /** Paces every attempt to the account's quotas (absent: calls leave as soon as they are made). */
  pacer?: QuotaPacer;
}

const TAGGABLE_COMMANDS = new Set([
  'CreatePolicyCommand',
  'CreateProvisioningTemplateCommand',
  'RegisterCACertificateCommand',
  'CreateRoleAliasCommand',
]);

/**
 * Adds provbench's counting, pacing and retrying to an IoTClient built with maxAttempts 1:
 * every send is counted under its operation name (CreateThing, ...), each attempt waits for its
 * slot under the account's quota when a pacer is given, and is retried with backoff and full
 * jitter on throttling (the AWS SDK's throttling delays), server errors and timeouts.
 */
export function instrumentIoTClient(client: IoTClient, options: InstrumentOptions): IoTClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? 'UnknownCommand';
      const api = commandName.replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      if (options.tags?.length && TAGGABLE_COMMANDS.has(commandName) && input.tags === undefined) {
        input.tags = options.tags.map((tag) => ({ ...tag }));
      }
      const device = deviceCounters.get(args);
      const counter = options.counter();
      const pacer = options.pacer?.paces(api) ? options.pacer : undefined;
      const attempt = async () => {
        if (pacer) {
          const waitedMs = await pacer.pace(api, commandSignals.get(args));
          counter.paced(api, waitedMs);
          device?.paced(api, waitedMs);
        }
        return next(args);
      };
      return withRetries(attempt, {
        maxAttempts: options.maxAttempts,
        throttlingPolicy: THROTTLING_BACKOFF,
        observer: device ? counter.observerWith(api, device) : counter.observer(api),
      });
    },
    { step: 'initialize', name: 'provbenchCountAndRetry', priority: 'high' },
  );
  return client;
}
