import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { applyQuotaOverrides, defaultQuotaTable } from '../../src/quotas/aws-default-quotas.js';
import { type PacerShare, pacerShareFor, QuotaPacer } from '../../src/quotas/quota-pacer.js';

/** A clock the test moves by hand (epoch microseconds). */
function manualClock(startUs = 1_700_000_000_000_000) {
  let nowUs = startUs;
  return { now: () => nowUs, advanceMs: (ms: number) => (nowUs += ms * 1000) };
}

const quotas = (overrides: unknown) => applyQuotaOverrides(defaultQuotaTable(), overrides);

describe('QuotaPacer', () => {
  it('gives calls of one operation slots one interval apart, from now on', () => {
    const clock = manualClock();
    const pacer = new QuotaPacer(
      pacerShareFor(quotas({ controlPlaneTps: { CreateKeysAndCertificate: 2 } })),
      clock.now,
    );
    expect(Array.from({ length: 5 }, () => pacer.reserve('CreateKeysAndCertificate'))).toEqual([
      0, 500, 1000, 1500, 2000,
    ]);
    // The schedule runs on while the caller waits: 1.2 s later the next slot is 1.3 s away.
    clock.advanceMs(1200);
    expect(pacer.reserve('CreateKeysAndCertificate')).toBe(1300);
    // After an idle spell no credit piles up beyond the call that comes now.
    clock.advanceMs(10_000);
    expect([pacer.reserve('CreateKeysAndCertificate'), pacer.reserve('CreateKeysAndCertificate')]).toEqual([
      0, 500,
    ]);
  });

  it('lets calls run ahead of the schedule by half the quota’s burst, each operation on its own schedule', () => {
    const clock = manualClock();
    const pacer = new QuotaPacer(pacerShareFor(defaultQuotaTable()), clock.now);
    // AttachPolicy, 15/s: 7 calls at once (half of 15), then one every 1/15 s (intervals round
    // up to the microsecond: never faster than the quota).
    expect(Array.from({ length: 9 }, () => pacer.reserve('AttachPolicy'))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 66.667, 133.334,
    ]);
    // CreateKeysAndCertificate (10/s) has its own schedule: 5 at once, then 100 ms apart.
    expect(Array.from({ length: 6 }, () => pacer.reserve('CreateKeysAndCertificate'))).toEqual([
      0, 0, 0, 0, 0, 100,
    ]);
    expect(pacer.paces('CreateThingType')).toBe(false);
    expect([1, 2].map(() => pacer.reserve('CreateThingType'))).toEqual([0, 0]);
  });

  it('paces RegisterCertificate by the stricter of its own quota and device certificate registrations', () => {
    const clock = manualClock();
    const share = pacerShareFor(
      quotas({
        controlPlaneTps: { RegisterCertificate: 10, RegisterCertificateWithoutCA: 10 },
        limits: { deviceCertificateRegistrationsPerSecond: 4 },
      }),
    );
    const pacer = new QuotaPacer(share, clock.now);
    // Both operations draw on the one registrations schedule (4/s: 2 at once, then 250 ms apart),
    // stricter than their own (10/s: 5 at once).
    expect([
      pacer.reserve('RegisterCertificate'),
      pacer.reserve('RegisterCertificateWithoutCA'),
      pacer.reserve('RegisterCertificate'),
      pacer.reserve('RegisterCertificateWithoutCA'),
    ]).toEqual([0, 0, 250, 500]);
  });

  it('gives a shard its share of the account quota', () => {
    const clock = manualClock();
    const pacer = new QuotaPacer(
      pacerShareFor(quotas({ controlPlaneTps: { CreateKeysAndCertificate: 10 } }), 1 / 4),
      clock.now,
    );
    expect([1, 2, 3].map(() => pacer.reserve('CreateKeysAndCertificate'))).toEqual([0, 400, 800]);
    expect(() => pacerShareFor(defaultQuotaTable(), 0)).toThrow(/share/);
  });

  it('waits for the slot, and stops waiting when the signal aborts', async () => {
    const pacer = new QuotaPacer(pacerShareFor(quotas({ controlPlaneTps: { CreateThing: 5 } })));
    // 5/s: two calls at once, the third 200 ms after the first.
    await expect(pacer.pace('CreateThing')).resolves.toBe(0);
    await expect(pacer.pace('CreateThing')).resolves.toBe(0);
    const before = performance.now();
    const waited = await pacer.pace('CreateThing');
    // The third call waited for its slot (timers may fire up to a millisecond early).
    expect(waited).toBeGreaterThan(150);
    expect(performance.now() - before).toBeGreaterThanOrEqual(waited - 2);
    const abort = new AbortController();
    const waiting = pacer.pace('CreateThing', abort.signal);
    abort.abort(new Error('device timed out'));
    await expect(waiting).rejects.toThrow('device timed out');
  });

  it('is one schedule for every thread that holds the share: worker threads never get the same slot', async () => {
    const share = pacerShareFor(quotas({ controlPlaneTps: { CreateKeysAndCertificate: 10 } }));
    const nowUs = 1_700_000_000_000_000;
    const perWorker = 200;
    const waits = await Promise.all(
      [0, 1, 2].map(() => reserveInWorker(share, 'CreateKeysAndCertificate', perWorker, nowUs)),
    );
    // The main thread draws on the same schedule, after the workers.
    const main = new QuotaPacer(share, () => nowUs).reserve('CreateKeysAndCertificate');
    const all = [...waits.flat(), main].sort((a, b) => a - b);
    // 601 reservations at one instant: 5 at once (half the burst of 10/s), then exactly one slot
    // every 100 ms up to 59 600 ms: none shared, none skipped.
    expect(all).toEqual(Array.from({ length: 3 * perWorker + 1 }, (_, i) => Math.max(0, i - 4) * 100));
  });
});

function reserveInWorker(
  share: PacerShare,
  operation: string,
  count: number,
  nowUs: number,
): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const script = new URL('../support/pacer-worker.ts', import.meta.url).href;
    // Worker threads do not inherit vitest's TypeScript loader: register tsx first.
    const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`;
    const worker = new Worker(bootstrap, { eval: true, workerData: { share, operation, count, nowUs } });
    worker.once('message', (waits: number[]) => {
      resolve(waits);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
