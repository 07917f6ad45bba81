import { randomBytes } from 'node:crypto';
import { constantTimeEqual, generateAuthVector, verifyAuts } from '../../sim/aka.js';
import { KryptonError } from './errors.js';
import type { Subscriber, SubscriberRegistry } from './subscribers.js';

/** A verified key lives 3600 s, as the SORACOM Endorse client caches it. */
export const KEY_LIFETIME_MS = 3_600_000;
/** How long a challenge waits for its RES. */
export const CHALLENGE_LIFETIME_MS = 300_000;

type KeyState = 'challenged' | 'verified' | 'invalidated';

interface KeyRecord {
  keyId: string;
  imsi: string;
  rand: Buffer;
  xres: Buffer;
  ck: Buffer;
  state: KeyState;
  expiresAt: number;
}

export interface Challenge {
  keyId: string;
  rand: Buffer;
  autn: Buffer;
}

export interface VerifiedKey {
  keyId: string;
  imsi: string;
  ck: Buffer;
  expiresAt: number;
}

export interface SimKeyStoreOptions {
  now?: () => number;
  keyLifetimeMs?: number;
  challengeLifetimeMs?: number;
}

/**
 * The network side of SORACOM's SIM keys API: AKA challenges, RES verification, resync from
 * AUTS, and the verified keys (keyId -> CK) that signed Krypton requests refer to.
 */
export class SimKeyStore {
  private readonly keys = new Map<string, KeyRecord>();
  /** `imsi:rand` of live challenges, so a resync can name the RAND it answers. */
  private readonly challengeByRand = new Map<string, string>();
  private readonly now: () => number;
  private readonly keyLifetimeMs: number;
  private readonly challengeLifetimeMs: number;
  private writesSinceSweep = 0;

  constructor(
    private readonly subscribers: SubscriberRegistry,
    options: SimKeyStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.keyLifetimeMs = options.keyLifetimeMs ?? KEY_LIFETIME_MS;
    this.challengeLifetimeMs = options.challengeLifetimeMs ?? CHALLENGE_LIFETIME_MS;
  }

  /** `POST /v1/keys {imsi}`: a fresh authentication vector for the SIM. */
  challenge(imsi: string): Challenge {
    const subscriber = this.authenticable(imsi);
    return this.issue(subscriber);
  }

  /** `POST /v1/keys {imsi, rand, auts}`: resynchronise the SQN from the card's AUTS, then challenge again. */
  resync(imsi: string, rand: Buffer, auts: Buffer): Challenge {
    const subscriber = this.authenticable(imsi);
    const randKey = `${imsi}:${rand.toString('hex')}`;
    const keyId = this.challengeByRand.get(randKey);
    const record = keyId ? this.keys.get(keyId) : undefined;
    if (record?.state !== 'challenged' || record.expiresAt <= this.now()) {
      throw new KryptonError(
        400,
        'UNKNOWN_RAND',
        'rand is not a live challenge for this IMSI; send the RAND of the challenge the SIM rejected, or start over with POST /v1/keys {imsi}',
      );
    }
    const sqnMs = verifyAuts(subscriber.milenage!, rand, auts);
    if (sqnMs === undefined) {
      throw new KryptonError(
        401,
        'INVALID_AUTS',
        'AUTS does not verify (MAC-S mismatch); the SIM may not be the one registered for this IMSI',
      );
    }
    this.retire(record);
    subscriber.sqn.resync(sqnMs);
    return this.issue(subscriber);
  }

  /** `POST /v1/keys/{keyId}/verify {res}`: a wrong RES invalidates the key for good. */
  verify(keyId: string, res: Buffer): VerifiedKey {
    const record = this.keys.get(keyId);
    if (!record)
      throw new KryptonError(404, 'KEY_NOT_FOUND', `no key ${keyId}; request a challenge with POST /v1/keys`);
    if (record.state === 'invalidated') {
      throw new KryptonError(
        401,
        'KEY_INVALIDATED',
        `key ${keyId} failed verification earlier and cannot be used; request a new challenge`,
      );
    }
    if (record.state === 'verified') {
      throw new KryptonError(
        409,
        'KEY_ALREADY_VERIFIED',
        `key ${keyId} is already verified; sign requests with its CK`,
      );
    }
    if (record.expiresAt <= this.now()) {
      throw new KryptonError(
        401,
        'KEY_EXPIRED',
        `challenge ${keyId} expired; request a new one with POST /v1/keys`,
      );
    }
    this.retire(record);
    if (!constantTimeEqual(res, record.xres)) {
      record.state = 'invalidated';
      throw new KryptonError(
        401,
        'AUTHENTICATION_FAILED',
        'RES does not match; the key is invalidated, request a new challenge',
      );
    }
    record.state = 'verified';
    record.expiresAt = this.now() + this.keyLifetimeMs;
    return { keyId, imsi: record.imsi, ck: record.ck, expiresAt: record.expiresAt };
  }

  /** The verified key a signed request names. */
  resolve(keyId: string): VerifiedKey {
    const record = this.keys.get(keyId);
    if (!record || record.state === 'challenged') {
      throw new KryptonError(
        401,
        'KEY_NOT_VERIFIED',
        `key ${keyId} is unknown or not verified; authenticate with /v1/keys first`,
      );
    }
    if (record.state === 'invalidated') {
      throw new KryptonError(401, 'KEY_INVALIDATED', `key ${keyId} failed verification; authenticate again`);
    }
    if (record.expiresAt <= this.now()) {
      throw new KryptonError(
        401,
        'KEY_EXPIRED',
        `key ${keyId} expired (keys live ${this.keyLifetimeMs / 1000} s); authenticate again`,
      );
    }
    return { keyId, imsi: record.imsi, ck: record.ck, expiresAt: record.expiresAt };
  }

  get size(): number {
    return this.keys.size;
  }

  private authenticable(imsi: string): Subscriber & { milenage: NonNullable<Subscriber['milenage']> } {
    const subscriber = this.subscribers.known(imsi);
    if (!subscriber.milenage) {
      throw new KryptonError(
        400,
        'SIM_KEYS_UNKNOWN',
        `the network has no Ki/OPc for IMSI ${imsi} (fleet loaded without secrets); it can use the cellular path only`,
      );
    }
    return subscriber as Subscriber & { milenage: NonNullable<Subscriber['milenage']> };
  }

  private issue(subscriber: Subscriber & { milenage: NonNullable<Subscriber['milenage']> }): Challenge {
    this.maybeSweep();
    const vector = generateAuthVector(subscriber.milenage, subscriber.sqn.next());
    const keyId = randomBytes(16).toString('hex');
    const record: KeyRecord = {
      keyId,
      imsi: subscriber.sim.imsi,
      rand: vector.rand,
      xres: vector.xres,
      ck: vector.ck,
      state: 'challenged',
      expiresAt: this.now() + this.challengeLifetimeMs,
    };
    this.keys.set(keyId, record);
    this.challengeByRand.set(`${record.imsi}:${vector.rand.toString('hex')}`, keyId);
    return { keyId, rand: vector.rand, autn: vector.autn };
  }

  private retire(record: KeyRecord): void {
    this.challengeByRand.delete(`${record.imsi}:${record.rand.toString('hex')}`);
    if (record.state === 'challenged') record.state = 'invalidated';
  }

  /** Drops expired keys now and then so memory follows the live key count. */
  private maybeSweep(): void {
    if (++this.writesSinceSweep < 4096) return;
    this.writesSinceSweep = 0;
    const now = this.now();
    for (const record of this.keys.values()) {
      if (record.expiresAt > now) continue;
      this.keys.delete(record.keyId);
      this.challengeByRand.delete(`${record.imsi}:${record.rand.toString('hex')}`);
    }
  }
}
