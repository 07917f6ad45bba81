/** Per-API, per-second and per-error counts as result.json carries them, and how parts of a run add up. */

export interface ApiCallTally {
  calls: number;
  attempts: number;
  /** Failed attempts that we retried, by error class. */
  retries: Record<string, number>;
  /** Calls whose last attempt failed (the call threw), by that attempt's error class. */
  failed?: Record<string, number>;
  /** Attempts that waited for their slot under the account's quota (client-side pacing). */
  pacedAttempts?: number;
  /** Milliseconds those attempts waited, summed. */
  pacedWaitMs?: number;
}

export function mergeApiCalls(
  into: Record<string, ApiCallTally>,
  from: Record<string, ApiCallTally>,
): Record<string, ApiCallTally> {
  for (const [api, tally] of Object.entries(from)) {
    const target = into[api] ?? { calls: 0, attempts: 0, retries: {} };
    into[api] = target;
    target.calls += tally.calls;
    target.attempts += tally.attempts;
    for (const [errorClass, count] of Object.entries(tally.retries)) {
      target.retries[errorClass] = (target.retries[errorClass] ?? 0) + count;
    }
    if (tally.failed && Object.keys(tally.failed).length > 0) {
      target.failed ??= {};
      addCounts(target.failed, tally.failed);
    }
    if (tally.pacedAttempts) target.pacedAttempts = (target.pacedAttempts ?? 0) + tally.pacedAttempts;
    if (tally.pacedWaitMs) target.pacedWaitMs = (target.pacedWaitMs ?? 0) + tally.pacedWaitMs;
  }
  return into;
}

/** Throttled answers retried and calls failed throttled, and the pacing, over some tallies. */
export function throttlingOf(...parts: ReadonlyArray<Record<string, ApiCallTally>>): {
  retried: number;
  failed: number;
  pacedAttempts: number;
  pacedWaitMs: number;
} {
  const figures = { retried: 0, failed: 0, pacedAttempts: 0, pacedWaitMs: 0 };
  for (const tally of parts.flatMap((part) => Object.values(part))) {
    figures.retried += tally.retries.throttled ?? 0;
    figures.failed += tally.failed?.throttled ?? 0;
    figures.pacedAttempts += tally.pacedAttempts ?? 0;
    figures.pacedWaitMs += tally.pacedWaitMs ?? 0;
  }
  figures.pacedWaitMs = Math.round(figures.pacedWaitMs);
  return figures;
}

export interface SeriesSecond {
  second: number;
  started: number;
  succeeded: number;
  failed: number;
  errors: Record<string, number>;
}

export interface ErrorTally {
  phase: string;
  errorClass: string;
  count: number;
  sample: string;
}

export function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [name, count] of Object.entries(from)) into[name] = (into[name] ?? 0) + count;
}

export function mergeSeries(parts: Iterable<readonly SeriesSecond[]>): SeriesSecond[] {
  const bySecond = new Map<number, SeriesSecond>();
  for (const series of parts) {
    for (const point of series) {
      const target = bySecond.get(point.second) ?? {
        second: point.second,
        started: 0,
        succeeded: 0,
        failed: 0,
        errors: {},
      };
      target.started += point.started;
      target.succeeded += point.succeeded;
      target.failed += point.failed;
      addCounts(target.errors, point.errors);
      bySecond.set(point.second, target);
    }
  }
  return [...bySecond.values()].sort((a, b) => a.second - b.second);
}

export function mergeErrorTallies(parts: Iterable<readonly ErrorTally[]>): ErrorTally[] {
  const byKey = new Map<string, ErrorTally>();
  for (const errors of parts) {
    for (const error of errors) {
      const key = `${error.phase}\0${error.errorClass}`;
      const existing = byKey.get(key);
      if (existing) existing.count += error.count;
      else byKey.set(key, { ...error });
    }
  }
  return [...byKey.values()].sort(
    (a, b) => a.phase.localeCompare(b.phase) || a.errorClass.localeCompare(b.errorClass),
  );
}
