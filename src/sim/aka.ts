import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Milenage } from './milenage.js';
import { SQN_BYTES, type SqnWindow, sqnFromBytes, sqnToBytes } from './sqn.js';

/** Authentication management field used for the vectors we generate (separation bit set, as for EPS). */
export const DEFAULT_AMF = Buffer.from('8000', 'hex');
/** AMF that MAC-S is computed with on resynchronisation (TS 33.102 §6.3.3). */
const RESYNC_AMF = Buffer.alloc(2);

/** A 3G authentication vector, as the HSS/AuC hands it to the serving network. */
export interface AuthVector {
  rand: Buffer;
  autn: Buffer;
  xres: Buffer;
  ck: Buffer;
  ik: Buffer;
  sqn: number;
}

/** What a USIM answers to AUTHENTICATE (TS 31.102 §7.1.2.1). */
export type UsimAnswer =
  | { kind: 'success'; res: Buffer; ck: Buffer; ik: Buffer }
  | { kind: 'sync-failure'; auts: Buffer }
  | { kind: 'mac-failure' };

function xor(left: Buffer, right: Buffer): Buffer {
  const out = Buffer.allocUnsafe(left.length);
  for (let i = 0; i < left.length; i++) out[i] = left[i]! ^ right[i]!;
  return out;
}

export function constantTimeEqual(left: Buffer, right: Buffer): boolean {
  return left.length === right.length && timingSafeEqual(left, right);
}

/** AUTN = (SQN xor AK) || AMF || MAC-A, with everything for the network side. */
export function generateAuthVector(
  milenage: Milenage,
  sqn: number,
  rand: Buffer = randomBytes(16),
  amf: Buffer = DEFAULT_AMF,
): AuthVector {
  const sqnBytes = sqnToBytes(sqn);
  const { res, ck, ik, ak } = milenage.f2345(rand);
  const macA = milenage.f1(rand, sqnBytes, amf);
  const autn = Buffer.concat([xor(sqnBytes, ak), amf, macA]);
  return { rand, autn, xres: res, ck, ik, sqn };
}

/** AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S = f1*(RAND, SQN_MS, AMF=0000). */
export function buildAuts(milenage: Milenage, rand: Buffer, sqnMs: number): Buffer {
  const sqnBytes = sqnToBytes(sqnMs);
  const akStar = milenage.f5star(rand);
  return Buffer.concat([xor(sqnBytes, akStar), milenage.f1star(rand, sqnBytes, RESYNC_AMF)]);
}

/** Network side of resynchronisation: SQN_MS when MAC-S checks out, undefined otherwise. */
export function verifyAuts(milenage: Milenage, rand: Buffer, auts: Buffer): number | undefined {
  if (rand.length !== 16 || auts.length !== SQN_BYTES + 8) return undefined;
  const sqnBytes = xor(auts.subarray(0, SQN_BYTES), milenage.f5star(rand));
  const macS = milenage.f1star(rand, sqnBytes, RESYNC_AMF);
  return constantTimeEqual(macS, auts.subarray(SQN_BYTES)) ? sqnFromBytes(sqnBytes) : undefined;
}

/**
 * The USIM's AUTHENTICATE: checks MAC-A, then SQN freshness against `window` (updated on
 * success), and answers with RES/CK/IK, an AUTS for resynchronisation, or a MAC failure.
 */
export function usimAuthenticate(
  milenage: Milenage,
  window: SqnWindow,
  rand: Buffer,
  autn: Buffer,
): UsimAnswer {
  if (rand.length !== 16 || autn.length !== 16) return { kind: 'mac-failure' };
  const { res, ck, ik, ak } = milenage.f2345(rand);
  const sqnBytes = xor(autn.subarray(0, SQN_BYTES), ak);
  const amf = autn.subarray(SQN_BYTES, SQN_BYTES + 2);
  const expectedMac = milenage.f1(rand, sqnBytes, amf);
  if (!constantTimeEqual(expectedMac, autn.subarray(SQN_BYTES + 2))) return { kind: 'mac-failure' };
  const sqn = sqnFromBytes(sqnBytes);
  if (!window.isFresh(sqn)) return { kind: 'sync-failure', auts: buildAuts(milenage, rand, window.sqnMs) };
  window.accept(sqn);
  return { kind: 'success', res, ck, ik };
}
