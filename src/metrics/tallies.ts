/** Per-API, per-second and per-error counts as result.json carries them, and how parts of a run add up. */

export interface ApiCallTally {
  calls: number;
  attempts: number;
  /** Failed attempts that we retried, by error class. */
  retries: Record<string, number>;
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
  }
  return into;
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
