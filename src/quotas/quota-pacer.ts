import type { QuotaTable } from './aws-default-quotas.js';

/**
 * Client-side pacing to the account's TPS quotas, as a factory or operator process facing AWS
 * does: each paced operation gets the next free slot of its own schedule (GCRA, the virtual
 * scheduling form of a token bucket), so calls leave at the quota's rate instead of being
 * throttled and retried. The schedules live in a SharedArrayBuffer, so every worker thread of
 * a run (and the main thread's operator clients) draws on the same schedule: one account, one
 * quota. In-process rate limiters on npm keep their state per thread (or need Redis), hence
 * this small one.
 */

/** Operations that also draw on the account's "device certificates registered per second". */
const DEVICE_CERTIFICATE_REGISTRATIONS = new Set(['RegisterCertificate', 'RegisterCertificateWithoutCA']);
const REGISTRATIONS_SCHEDULE = 'limits.deviceCertificateRegistrationsPerSecond';

/** What the threads of a run share: plain data and a SharedArrayBuffer (structured-cloneable). */
export interface PacerShare {
  /** Schedule names: control-plane operations, and the device certificate registrations limit. */
  names: string[];
  /** Microseconds between two slots of each schedule. */
  intervalsUs: number[];
  /** Microseconds a call may run ahead of its schedule (the burst tolerance). */
  tolerancesUs: number[];
  /** Per schedule, the next free slot (epoch microseconds) as a BigInt64. */
  slots: SharedArrayBuffer;
}

/**
 * The schedules for `table`, at `share` of each quota (1 / the shard count: shards share one
 * account). Slots are evenly spaced; calls may run ahead of them by half the quota's one-second
 * burst (at least one call), enough to catch up after a pause, while the quota's own bucket
 * keeps the other half to absorb network jitter and calls the harness does not pace.
 */
export function pacerShareFor(table: QuotaTable, share = 1): PacerShare {
  if (!(share > 0 && share <= 1)) throw new Error(`pacer share must be in (0, 1], got ${share}`);
  const rates: Array<[string, number]> = [
    ...Object.entries(table.controlPlaneTps),
    [REGISTRATIONS_SCHEDULE, table.limits.deviceCertificateRegistrationsPerSecond],
  ];
  const intervalsUs = rates.map(([, perSecond]) => Math.ceil(1_000_000 / (perSecond * share)));
  const bursts = rates.map(([, perSecond]) => Math.max(1, Math.floor((perSecond * share) / 2)));
  return {
    names: rates.map(([name]) => name),
    intervalsUs,
    tolerancesUs: intervalsUs.map((interval, i) => ((bursts[i] ?? 1) - 1) * interval),
    slots: new SharedArrayBuffer(rates.length * BigInt64Array.BYTES_PER_ELEMENT),
  };
}

/** Epoch microseconds, with sub-millisecond resolution and the same origin in every thread. */
function epochMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export class QuotaPacer {
  private readonly slots: BigInt64Array;
  private readonly index: Map<string, number>;

  constructor(
    private readonly share: PacerShare,
    private readonly nowUs: () => number = epochMicros,
  ) {
    this.slots = new BigInt64Array(share.slots);
    this.index = new Map(share.names.map((name, i) => [name, i]));
  }

  /** Whether `operation` has a quota here (calls to others are never delayed). */
  paces(operation: string): boolean {
    return this.index.has(operation);
  }

  /**
   * Takes the next free slot of `operation` (and of the device certificate registrations
   * limit when the operation draws on it) and returns how many milliseconds from now it is.
   */
  reserve(operation: string): number {
    const schedules = [this.index.get(operation)];
    if (DEVICE_CERTIFICATE_REGISTRATIONS.has(operation))
      schedules.push(this.index.get(REGISTRATIONS_SCHEDULE));
    const now = this.nowUs();
    let slotUs = now;
    for (const i of schedules) {
      if (i !== undefined) slotUs = Math.max(slotUs, this.take(i, now));
    }
    return (slotUs - now) / 1000;
  }

  /** Waits for `operation`'s slot; resolves with the milliseconds waited (0: no wait). */
  async pace(operation: string, signal?: AbortSignal): Promise<number> {
    const waitMs = this.reserve(operation);
    if (waitMs <= 0) return 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, waitMs);
      function done() {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
      function onAbort() {
        clearTimeout(timer);
        reject(signal?.reason);
      }
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    return waitMs;
  }

  /**
   * Atomically (GCRA): `next` is the schedule's theoretical arrival time; this call's slot is
   * max(now, next - tolerance), and `next` moves one interval past max(next, now).
   */
  private take(i: number, now: number): number {
    const interval = BigInt(this.share.intervalsUs[i] ?? 0);
    const tolerance = BigInt(this.share.tolerancesUs[i] ?? 0);
    const nowBig = BigInt(now);
    for (;;) {
      const next = Atomics.load(this.slots, i);
      const start = next > nowBig ? next : nowBig;
      if (Atomics.compareExchange(this.slots, i, next, start + interval) === next) {
        const slot = next - tolerance;
        return Number(slot > nowBig ? slot : nowBig);
      }
    }
  }
}
