import { type BackoffPolicy, backoffDelayMs, ClassifiedError, sleep } from '../../src/contract/index.js';

export interface ReconnectPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Floor under every delay, e.g. AWS's 1 connect per second per client ID. */
  minDelayMs?: number;
  /** Which failures mean "try again" (default: the broker closed or refused the connection). */
  retryOn?: (error: unknown) => boolean;
  /** Called before each retry, so the caller can count it. */
  onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
  signal?: AbortSignal;
  random?: () => number;
}

export interface RetryOutcome<T> {
  value: T;
  attempts: number;
}

/** JITR/JITP: the broker closes the first connection; these are the failures worth retrying. */
export function isRejectedConnect(error: unknown): boolean {
  return (
    error instanceof ClassifiedError &&
    (error.errorClass === 'auth_rejected' || error.errorClass === 'tls_rejected')
  );
}

/**
 * Runs `attempt` until it succeeds, counting attempts, with exponential backoff and full
 * jitter between tries. Retries only failures `retryOn` accepts; after the last attempt the
 * final error's class is kept and the message says how many attempts were made.
 */
export async function retryUntilAccepted<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: ReconnectPolicy,
): Promise<RetryOutcome<T>> {
  const retryOn = policy.retryOn ?? isRejectedConnect;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return { value: await attempt(attemptNumber), attempts: attemptNumber };
    } catch (error) {
      if (!retryOn(error) || policy.signal?.aborted) throw error;
      if (attemptNumber >= policy.maxAttempts) {
        const message = error instanceof Error ? error.message : String(error);
        const errorClass = error instanceof ClassifiedError ? error.errorClass : 'auth_rejected';
        throw new ClassifiedError(
          errorClass,
          `still rejected after ${attemptNumber} attempts (${message}): is the activator running? raise the attempt limit if it is slow`,
          { cause: error },
        );
      }
      const delayMs = (policy.minDelayMs ?? 0) + backoffDelayMs(attemptNumber, policy.backoff, policy.random);
      policy.onRetry?.(attemptNumber, error, delayMs);
      await sleep(delayMs, policy.signal);
    }
  }
}
