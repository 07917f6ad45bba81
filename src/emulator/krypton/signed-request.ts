import { timingSafeEqual } from 'node:crypto';
import { computeKryptonSignature } from '../../sim/krypton-signature.js';
import { KryptonError } from './errors.js';
import type { SimKeyStore, VerifiedKey } from './sim-keys.js';

/** Signed requests are accepted within 5 minutes of their x-soracom-timestamp, either way. */
export const TIMESTAMP_WINDOW_MS = 300_000;

export interface SignatureInput {
  timestamp: string | undefined;
  algorithm: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  keyId: unknown;
}

/**
 * Checks a request signed with a SIM-authenticated key: digest algorithm, timestamp window,
 * key state, base64(SHA-256(body || timestamp || CK)), and that the same signed request was not
 * seen before (replay).
 */
export class SignedRequestVerifier {
  /** signature -> time after which it can no longer be replayed (its timestamp left the window). */
  private readonly seen = new Map<string, number>();
  private checksSinceSweep = 0;

  constructor(
    private readonly keys: SimKeyStore,
    private readonly now: () => number = Date.now,
  ) {}

  verify(input: SignatureInput): VerifiedKey {
    if (input.algorithm !== 'SHA-256') {
      throw new KryptonError(
        400,
        'UNSUPPORTED_DIGEST_ALGORITHM',
        'x-soracom-digest-algorithm must be SHA-256',
      );
    }
    if (!input.timestamp || !/^\d{1,16}$/.test(input.timestamp)) {
      throw new KryptonError(
        400,
        'INVALID_TIMESTAMP',
        'x-soracom-timestamp must be Unix time in milliseconds',
      );
    }
    const skew = Math.abs(this.now() - Number(input.timestamp));
    if (skew > TIMESTAMP_WINDOW_MS) {
      throw new KryptonError(
        401,
        'TIMESTAMP_OUT_OF_WINDOW',
        `x-soracom-timestamp is ${Math.round(skew / 1000)} s away from server time (limit 300 s); check the device clock`,
      );
    }
    if (typeof input.keyId !== 'string' || input.keyId.length === 0) {
      throw new KryptonError(400, 'MISSING_KEY_ID', 'a signed request carries "keyId" in its JSON body');
    }
    const key = this.keys.resolve(input.keyId);
    const expected = Buffer.from(computeKryptonSignature(input.rawBody, input.timestamp, key.ck), 'base64');
    const given = Buffer.from(input.signature ?? '', 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new KryptonError(
        401,
        'INVALID_SIGNATURE',
        'x-soracom-signature does not match base64(SHA-256(body || timestamp || CK))',
      );
    }
    this.sweep();
    const replayKey = `${key.keyId}:${expected.toString('base64')}`;
    if (this.seen.has(replayKey)) {
      throw new KryptonError(
        401,
        'REPLAYED_REQUEST',
        'this signed request was already used; sign each request with a new timestamp',
      );
    }
    this.seen.set(replayKey, Number(input.timestamp) + TIMESTAMP_WINDOW_MS);
    return key;
  }

  private sweep(): void {
    if (++this.checksSinceSweep < 1024) return;
    this.checksSinceSweep = 0;
    const now = this.now();
    for (const [key, until] of this.seen) if (until < now) this.seen.delete(key);
  }
}
