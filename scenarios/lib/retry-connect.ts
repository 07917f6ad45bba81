import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceError, isDeviceError } from './device-error.js';

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Which failures mean "try again" (default: the broker closed or refused the connection). */
  retryOn?: (error: unknown) => boolean;
  /** Called before each retry, so the caller can count it. */
  onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
  random?: () => number;
}

export interface RetryOutcome<T> {
  value: T;
  attempts: number;
}

/** JITR/JITP: the broker closes the first connection; these are the failures worth retrying. */
export function isRejectedConnect(error: unknown): boolean {
  return (
    isDeviceError(error) && (error.errorClass === 'auth_rejected' || error.errorClass === 'tls_rejected')
  );
}

/** Exponential backoff with full jitter: a delay in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round((policy.random ?? Math.random)() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, counting attempts. Retries only failures `retryOn` accepts;
 * after the last attempt the final error is rethrown with the attempt count in its message.
 */
export async function retryUntilAccepted<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
): Promise<RetryOutcome<T>> {
  const retryOn = policy.retryOn ?? isRejectedConnect;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return { value: await attempt(attemptNumber), attempts: attemptNumber };
    } catch (error) {
      if (!retryOn(error)) throw error;
      if (attemptNumber >= policy.maxAttempts) {
        const message = error instanceof Error ? error.message : String(error);
        const errorClass = isDeviceError(error) ? error.errorClass : 'auth_rejected';
        throw new DeviceError(
          errorClass,
          `still rejected after ${attemptNumber} attempts (${message}): is the activator running, or raise maxAttempts`,
          { cause: error },
        );
      }
      const delayMs = backoffDelayMs(attemptNumber, policy);
      policy.onRetry?.(attemptNumber, error, delayMs);
      await sleep(delayMs);
    }
  }
}
