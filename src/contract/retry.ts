import { classifyError, type ErrorClass, isRetryable } from './errors.js';

/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 5_000 };

/**
 * After a throttled answer: the AWS SDK's standard retry mode's throttling base delay (500 ms)
 * and its maximum delay (20 s) (`@smithy/util-retry` THROTTLING_RETRY_DELAY_BASE and
 * MAXIMUM_RETRY_DELAY), so a throttled caller backs off as AWS's own clients do.
 */
export const THROTTLING_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 20_000 };

/** Delay before retry number `retry` (1 = first retry): uniform in [0, min(cap, base * 2^(retry-1))]. */
export function backoffDelayMs(
  retry: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

export interface AttemptObserver {
  /** Called before every attempt, the first included. */
  attempt(attempt: number): void;
  /** Called when an attempt failed and another one will follow after `delayMs`. */
  retry(errorClass: ErrorClass, delayMs: number, error: unknown): void;
  /** Called when an attempt failed and none follows: the error is rethrown. */
  gaveUp?(errorClass: ErrorClass, error: unknown): void;
}

export interface RetryOptions {
  maxAttempts: number;
  policy?: BackoffPolicy;
  /** The policy after a throttled attempt (default: `policy`). */
  throttlingPolicy?: BackoffPolicy;
  signal?: AbortSignal;
  observer?: AttemptObserver;
}

/** Sleeps `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, the error is not retryable (see isRetryable), attempts run out
 * or the signal aborts. The last error is rethrown unchanged.
 */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts);
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    options.observer?.attempt(attempt);
    try {
      return await fn(attempt);
    } catch (error) {
      const errorClass = classifyError(error);
      if (attempt >= maxAttempts || !isRetryable(errorClass) || options.signal?.aborted) {
        options.observer?.gaveUp?.(errorClass, error);
        throw error;
      }
      const policy =
        errorClass === 'throttled' ? (options.throttlingPolicy ?? options.policy) : options.policy;
      const delayMs = backoffDelayMs(attempt, policy);
      options.observer?.retry(errorClass, delayMs, error);
      await sleep(delayMs, options.signal);
    }
  }
}
