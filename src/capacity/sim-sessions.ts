import { performance } from 'node:perf_hooks';
import { KryptonApiError, KryptonClient, type SimKey } from '../../scenarios/lib/krypton-client.js';
import { LatencyHistogram } from '../metrics/histogram.js';
import { DeviceLink } from '../network/field-link.js';
import { isTransparent, type NetworkProfile } from '../network/profile.js';
import { SimCard } from '../sim/sim-card.js';
import type { SimWithSecrets } from '../sim/sim-record.js';

export interface SimSessionOptions {
  kryptonUrl: string;
  /** CA bundle the service's TLS certificate chains to. */
  ca: string | Buffer;
  /** SIM authentications in flight at once. */
  concurrency: number;
  /** The SIMs' field link: each SIM authenticates over its own (seeded by `seed` and its index). */
  network?: NetworkProfile;
  seed?: number;
}

export interface SimSessionFailure {
  imsi: string;
  status: number;
  code: string;
  message: string;
}

export interface SimSessions {
  /** One session key per SIM that authenticated, in fleet order. */
  keys: SimKey[];
  failures: SimSessionFailure[];
  /** Time per SIM authentication (challenge, USIM, verify). */
  latency: LatencyHistogram;
  durationMs: number;
}

/**
 * Runs the SIM keys API's AKA exchange (`/v1/keys`, the USIM's answer, `/verify`) for every SIM,
 * as the Krypton device client does, so each bootstrap request can then be signed with its own CK.
 */
export async function authenticateSims(
  sims: readonly SimWithSecrets[],
  options: SimSessionOptions,
): Promise<SimSessions> {
  const client = new KryptonClient({ baseUrl: options.kryptonUrl, ca: options.ca, keepAlive: true });
  const shaped = options.network && !isTransparent(options.network) ? options.network : null;
  const keys: (SimKey | undefined)[] = new Array(sims.length);
  const failures: SimSessionFailure[] = [];
  const latency = LatencyHistogram.create();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < sims.length) {
      const index = next++;
      const sim = sims[index] as SimWithSecrets;
      const begun = performance.now();
      // Over a field link each SIM is its own device, with its own connection.
      const own = shaped
        ? new KryptonClient({
            baseUrl: options.kryptonUrl,
            ca: options.ca,
            keepAlive: true,
            link: new DeviceLink(shaped, options.seed ?? 1, index),
          })
        : null;
      try {
        keys[index] = await (own ?? client).authenticate(new SimCard(sim));
        latency.recordMillis(performance.now() - begun);
      } catch (error) {
        failures.push(
          error instanceof KryptonApiError
            ? { imsi: sim.imsi, status: error.status, code: error.code, message: error.message }
            : { imsi: sim.imsi, status: 0, code: 'TRANSPORT', message: (error as Error).message },
        );
      } finally {
        own?.close();
      }
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(options.concurrency, sims.length)) }, worker),
    );
  } finally {
    client.close();
  }
  return {
    keys: keys.filter((key): key is SimKey => key !== undefined),
    failures,
    latency,
    durationMs: performance.now() - started,
  };
}
