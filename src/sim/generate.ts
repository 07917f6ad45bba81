import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
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
 * The seeded fleet, one SIM at a time: `sim(index)` is SIM `index` of every fleet with these
 * options (whatever its size), so a worker can derive its own devices without the whole fleet.
 */
export class SeededFleet {
  private readonly seed: string;
  private readonly mcc: string;
  private readonly mnc: string;
  private readonly op: Buffer;
  private readonly group: string;
  private readonly msinBase: bigint;
  private readonly iccidBase: bigint;
  private readonly simIdBase: bigint;
  private readonly msisdnBase: bigint;
  private readonly imeiBase: number;

  constructor(options: Omit<FleetOptions, 'devices'> = {}) {
    this.seed = String(options.seed ?? DEFAULT_FLEET.seed);
    this.mcc = options.mcc ?? DEFAULT_FLEET.mcc;
    this.mnc = options.mnc ?? DEFAULT_FLEET.mnc;
    this.op = Buffer.from(options.op ?? DEFAULT_FLEET.op, 'hex');
    if (this.op.length !== 16) throw new RangeError('OP must be 32 hex digits');
    this.group = options.group ?? DEFAULT_FLEET.group;
    const msinDigits = 15 - this.mcc.length - this.mnc.length;
    this.msinBase = base(this.seed, 'msin', msinDigits);
    this.iccidBase = base(this.seed, 'iccid', 12);
    this.simIdBase = base(this.seed, 'simId', 12);
    this.msisdnBase = base(this.seed, 'msisdn', 8);
    this.imeiBase = Number(base(this.seed, 'imei', 6, true));
  }

  sim(index: number): SimRecord & { ki: string; opc: string } {
    if (!Number.isInteger(index) || index < 0 || index >= MAX_DEVICES) {
      throw new RangeError(`SIM index must be an integer from 0 to ${MAX_DEVICES - 1}, got ${index}`);
    }
    const ki = derive(this.seed, index, 'ki').subarray(0, 16);
    const imeiSerial = this.imeiBase + index;
    return {
      imsi: formatImsi(this.mcc, this.mnc, this.msinBase + BigInt(index)),
      iccid: formatLuhnNumber('894231', this.iccidBase + BigInt(index), 19),
      simId: formatLuhnNumber('894235', this.simIdBase + BigInt(index), 19),
      msisdn: `4236${(this.msisdnBase + BigInt(index)).toString().padStart(8, '0')}`,
      imei: formatImei(String(IMEI_TAC_BASE + Math.floor(imeiSerial / 1_000_000)), imeiSerial % 1_000_000),
      group: this.group,
      ki: ki.toString('hex'),
      opc: Milenage.deriveOpc(ki, this.op).toString('hex'),
      sqn: 0,
    };
  }
}

function checkFleetSize(devices: number): void {
  if (!Number.isInteger(devices) || devices < 1 || devices > MAX_DEVICES) {
    throw new RangeError(`devices must be an integer from 1 to ${MAX_DEVICES}, got ${devices}`);
  }
}

/**
 * N SIMs, the same for the same options: sequential identifiers from a seed-derived base (so
 * they are unique within the fleet), per-SIM Ki from the seed, OPc from Ki and the operator's OP.
 */
export function generateFleet(options: FleetOptions): SimRecord[] {
  checkFleetSize(options.devices);
  const fleet = new SeededFleet(options);
  return Array.from({ length: options.devices }, (_, index) => fleet.sim(index));
}

/**
 * Writes the fleet of `options` as fleet.json (mode 0600: it holds every SIM's Ki and OPc),
 * the same bytes as `writeFleetFile(path, generateFleet(options))`, a chunk of SIMs at a time
 * so the whole fleet is never in memory.
 */
export async function writeGeneratedFleetFile(path: string, options: FleetOptions): Promise<void> {
  checkFleetSize(options.devices);
  const fleet = new SeededFleet(options);
  const file = await open(path, 'w', 0o600);
  try {
    await file.chmod(0o600);
    const chunk: string[] = [];
    for (let index = 0; index < options.devices; index++) {
      chunk.push(JSON.stringify(fleet.sim(index), null, 2).replaceAll('\n', '\n  '));
      if (chunk.length === 1_000 || index === options.devices - 1) {
        const opening = index < chunk.length ? '[\n  ' : ',\n  ';
        await file.write(`${opening}${chunk.join(',\n  ')}`);
        chunk.length = 0;
      }
    }
    await file.write('\n]\n');
  } finally {
    await file.close();
  }
}
