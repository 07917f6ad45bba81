import { describe, expect, it } from 'vitest';
import { KryptonError } from '../../../src/emulator/krypton/errors.js';
import { SignedRequestVerifier, TIMESTAMP_WINDOW_MS } from '../../../src/emulator/krypton/signed-request.js';
import { KEY_LIFETIME_MS, SimKeyStore } from '../../../src/emulator/krypton/sim-keys.js';
import { SubscriberRegistry } from '../../../src/emulator/krypton/subscribers.js';
import { generateFleet } from '../../../src/sim/generate.js';
import { signKryptonRequest } from '../../../src/sim/krypton-signature.js';
import { SimCard } from '../../../src/sim/sim-card.js';
import { hasSecrets, withoutSecrets } from '../../../src/sim/sim-record.js';
import { sqnOf } from '../../../src/sim/sqn.js';

function setup() {
  let clock = 1_700_000_000_000;
  const now = () => clock;
  const subscribers = new SubscriberRegistry();
  const fleet = generateFleet({ devices: 2, seed: 21 });
  subscribers.upsert(fleet);
  const sim = fleet[0]!;
  if (!hasSecrets(sim)) throw new Error('fleet without secrets');
  const keys = new SimKeyStore(subscribers, { now });
  return { keys, sim, subscribers, fleet, now, advance: (ms: number) => (clock += ms) };
}

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof KryptonError) return `${error.statusCode} ${error.code}`;
    throw error;
  }
  return 'no error';
}

describe('SIM keys (AKA over the keys API)', () => {
  it('challenge -> USIM -> verify gives the CK both sides derived', () => {
    const { keys, sim } = setup();
    const card = new SimCard(sim);
    const challenge = keys.challenge(sim.imsi);
    const answer = card.authenticate(challenge.rand, challenge.autn);
    if (answer.kind !== 'success') throw new Error(`card answered ${answer.kind}`);
    const verified = keys.verify(challenge.keyId, answer.res);
    expect(verified.imsi).toBe(sim.imsi);
    expect(verified.ck.equals(answer.ck)).toBe(true);
    expect(keys.resolve(challenge.keyId).ck.equals(answer.ck)).toBe(true);
  });

  it('a wrong RES fails and invalidates the key: the right RES afterwards is refused', () => {
    const { keys, sim } = setup();
    const challenge = keys.challenge(sim.imsi);
    const answer = new SimCard(sim).authenticate(challenge.rand, challenge.autn);
    if (answer.kind !== 'success') throw new Error('card refused');
    expect(codeOf(() => keys.verify(challenge.keyId, Buffer.alloc(8)))).toBe('401 AUTHENTICATION_FAILED');
    expect(codeOf(() => keys.verify(challenge.keyId, answer.res))).toBe('401 KEY_INVALIDATED');
    expect(codeOf(() => keys.resolve(challenge.keyId))).toBe('401 KEY_INVALIDATED');
  });

  it('refuses unknown IMSIs, unknown keys, SIMs without secrets and double verification', () => {
    const { keys, sim, subscribers, fleet } = setup();
    expect(codeOf(() => keys.challenge('001010000000000'))).toBe('404 UNKNOWN_IMSI');
    expect(codeOf(() => keys.verify('nope', Buffer.alloc(8)))).toBe('404 KEY_NOT_FOUND');
    subscribers.upsert([withoutSecrets(fleet[1]!)]);
    expect(codeOf(() => keys.challenge(fleet[1]!.imsi))).toBe('400 SIM_KEYS_UNKNOWN');
    const challenge = keys.challenge(sim.imsi);
    const answer = new SimCard(sim).authenticate(challenge.rand, challenge.autn);
    if (answer.kind !== 'success') throw new Error('card refused');
    keys.verify(challenge.keyId, answer.res);
    expect(codeOf(() => keys.verify(challenge.keyId, answer.res))).toBe('409 KEY_ALREADY_VERIFIED');
  });

  it('expires unanswered challenges and verified keys after 3600 s', () => {
    const { keys, sim, advance } = setup();
    const card = new SimCard(sim);
    const stale = keys.challenge(sim.imsi);
    advance(10 * 60_000);
    expect(codeOf(() => keys.verify(stale.keyId, Buffer.alloc(8)))).toBe('401 KEY_EXPIRED');

    const challenge = keys.challenge(sim.imsi);
    const answer = card.authenticate(challenge.rand, challenge.autn);
    if (answer.kind !== 'success') throw new Error('card refused');
    keys.verify(challenge.keyId, answer.res);
    advance(KEY_LIFETIME_MS - 1);
    expect(keys.resolve(challenge.keyId).imsi).toBe(sim.imsi);
    advance(1);
    expect(codeOf(() => keys.resolve(challenge.keyId))).toBe('401 KEY_EXPIRED');
  });

  it('resynchronises when the card is ahead of the network, and rejects a forged AUTS or unknown RAND', () => {
    const { keys, sim } = setup();
    const card = new SimCard(sim, sqnOf(1000, 0));
    const challenge = keys.challenge(sim.imsi);
    const answer = card.authenticate(challenge.rand, challenge.autn);
    if (answer.kind !== 'sync-failure') throw new Error(`expected a sync failure, got ${answer.kind}`);

    const forged = Buffer.from(answer.auts);
    forged[10] = forged[10]! ^ 1;
    expect(codeOf(() => keys.resync(sim.imsi, challenge.rand, forged))).toBe('401 INVALID_AUTS');
    expect(codeOf(() => keys.resync(sim.imsi, Buffer.alloc(16), answer.auts))).toBe('400 UNKNOWN_RAND');

    const next = keys.resync(sim.imsi, challenge.rand, answer.auts);
    const retry = card.authenticate(next.rand, next.autn);
    expect(retry.kind).toBe('success');
    // The resync consumed the rejected challenge.
    expect(codeOf(() => keys.resync(sim.imsi, challenge.rand, answer.auts))).toBe('400 UNKNOWN_RAND');
  });
});

describe('signed requests', () => {
  function verifiedKey() {
    const context = setup();
    const challenge = context.keys.challenge(context.sim.imsi);
    const answer = new SimCard(context.sim).authenticate(challenge.rand, challenge.autn);
    if (answer.kind !== 'success') throw new Error('card refused');
    context.keys.verify(challenge.keyId, answer.res);
    const verifier = new SignedRequestVerifier(context.keys, context.now);
    return { ...context, verifier, keyId: challenge.keyId, ck: answer.ck };
  }

  function input(body: string, headers: ReturnType<typeof signKryptonRequest>, keyId: string) {
    return {
      timestamp: headers['x-soracom-timestamp'],
      algorithm: headers['x-soracom-digest-algorithm'],
      signature: headers['x-soracom-signature'],
      rawBody: Buffer.from(body),
      keyId,
    };
  }

  it('accepts a correct signature once and refuses its replay', () => {
    const { verifier, keyId, ck, now, sim } = verifiedKey();
    const body = JSON.stringify({ keyId });
    const headers = signKryptonRequest(body, ck, now());
    expect(verifier.verify(input(body, headers, keyId)).imsi).toBe(sim.imsi);
    expect(codeOf(() => verifier.verify(input(body, headers, keyId)))).toBe('401 REPLAYED_REQUEST');
  });

  it('refuses a tampered body, a wrong key, a bad algorithm and timestamps outside 5 minutes', () => {
    const { verifier, keyId, ck, now } = verifiedKey();
    const body = JSON.stringify({ keyId });
    const headers = signKryptonRequest(body, ck, now());
    const tampered = input(`${body} `, headers, keyId);
    expect(codeOf(() => verifier.verify(tampered))).toBe('401 INVALID_SIGNATURE');
    const otherCk = signKryptonRequest(body, Buffer.alloc(16), now());
    expect(codeOf(() => verifier.verify(input(body, otherCk, keyId)))).toBe('401 INVALID_SIGNATURE');
    expect(codeOf(() => verifier.verify({ ...input(body, headers, keyId), algorithm: 'MD5' }))).toBe(
      '400 UNSUPPORTED_DIGEST_ALGORITHM',
    );
    const late = signKryptonRequest(body, ck, now() - TIMESTAMP_WINDOW_MS - 1);
    expect(codeOf(() => verifier.verify(input(body, late, keyId)))).toBe('401 TIMESTAMP_OUT_OF_WINDOW');
    const early = signKryptonRequest(body, ck, now() + TIMESTAMP_WINDOW_MS + 1);
    expect(codeOf(() => verifier.verify(input(body, early, keyId)))).toBe('401 TIMESTAMP_OUT_OF_WINDOW');
    const edge = signKryptonRequest(body, ck, now() - TIMESTAMP_WINDOW_MS);
    expect(verifier.verify(input(body, edge, keyId)).keyId).toBe(keyId);
    expect(codeOf(() => verifier.verify(input(body, headers, 'unknown')))).toBe('401 KEY_NOT_VERIFIED');
  });
});
