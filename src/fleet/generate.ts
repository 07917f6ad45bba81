import { createHash } from 'node:crypto';
import { formatImei, formatImsi, formatLuhnNumber } from './identifiers.js';
import { Milenage } from './milenage.js';
import type { SimRecord } from './sim-record.js';

export interface FleetOptions {
  devices: number;
  seed?: number | string;
  /** Mobile country code; SORACOM's global SIMs use 295 (Liechtenstein). */
  mcc?: string;
  /** Mobile network code; SORACOM's global SIMs use 05. */
  mnc?: string;
  /** Operator variant OP (32 hex digits) every OPc is derived from. */
  op?: string;
  /** SIM group; each group has its own Krypton configuration. */
  group?: string;
}

export const DEFAULT_FLEET = {
  seed: 1,
  mcc: '295',
  mnc: '05',
  op: 'cdc202d5123e20f62b6d676ac72cb318',
  group: 'krypton',
} as const;

/** IMEI serials are 6 digits; the TAC absorbs overflow, so 10^6 SIMs per TAC block. */
const MAX_DEVICES = 1_000_000;
const IMEI_TAC_BASE = 35_290_611;

/** Deterministic bytes for one field of one SIM: SHA-256(seed, index, label). */
function derive(seed: string, index: number, label: string): Buffer {
  return createHash('sha256').update(`provbench-fleet\0${seed}\0${index}\0${label}`).digest();
}

/**
 * A seed-derived start point, independent of the fleet size, so SIM N has the same identifiers in
 * a fleet of 10 and of 10,000. Leaves room for the largest fleet unless the field carries over
 * (the IMEI serial overflows into the TAC).
 */
function base(seed: string, label: string, digits: number, carries = false): bigint {
  const span = 10n ** BigInt(digits);
  const room = carries ? span : span - BigInt(MAX_DEVICES);
  return derive(seed, -1, label).readBigUInt64BE(0) % room;
}

/**
 * N SIMs, the same for the same options: sequential identifiers from a seed-derived base (so
 * they are unique within the fleet), per-SIM Ki from the seed, OPc from Ki and the operator's OP.
 */
export function generateFleet(options: FleetOptions): SimRecord[] {
  const { devices } = options;
  if (!Number.isInteger(devices) || devices < 1 || devices > MAX_DEVICES) {
    throw new RangeError(`devices must be an integer from 1 to ${MAX_DEVICES}, got ${devices}`);
  }
  const seed = String(options.seed ?? DEFAULT_FLEET.seed);
  const mcc = options.mcc ?? DEFAULT_FLEET.mcc;
  const mnc = options.mnc ?? DEFAULT_FLEET.mnc;
  const op = Buffer.from(options.op ?? DEFAULT_FLEET.op, 'hex');
  if (op.length !== 16) throw new RangeError('OP must be 32 hex digits');
  const group = options.group ?? DEFAULT_FLEET.group;

  const msinDigits = 15 - mcc.length - mnc.length;
  const msinBase = base(seed, 'msin', msinDigits);
  const iccidBase = base(seed, 'iccid', 12);
  const simIdBase = base(seed, 'simId', 12);
  const msisdnBase = base(seed, 'msisdn', 8);
  const imeiBase = Number(base(seed, 'imei', 6, true));

  const fleet: SimRecord[] = [];
  for (let index = 0; index < devices; index++) {
    const ki = derive(seed, index, 'ki').subarray(0, 16);
    const imeiSerial = imeiBase + index;
    fleet.push({
      imsi: formatImsi(mcc, mnc, msinBase + BigInt(index)),
      iccid: formatLuhnNumber('894231', iccidBase + BigInt(index), 19),
      simId: formatLuhnNumber('894235', simIdBase + BigInt(index), 19),
      msisdn: `4236${(msisdnBase + BigInt(index)).toString().padStart(8, '0')}`,
      imei: formatImei(String(IMEI_TAC_BASE + Math.floor(imeiSerial / 1_000_000)), imeiSerial % 1_000_000),
      group,
      ki: ki.toString('hex'),
      opc: Milenage.deriveOpc(ki, op).toString('hex'),
      sqn: 0,
    });
  }
  return fleet;
}
