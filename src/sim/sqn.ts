/**
 * Sequence numbers for AKA, following the SEQ||IND profile of 3GPP TS 33.102 Annex C: a 48-bit
 * SQN whose low 5 bits (IND) pick one of 32 slots on the USIM, so vectors handed out to
 * concurrent sessions can arrive out of order and still be fresh.
 */
export const SQN_BYTES = 6;
export const IND_BITS = 5;
export const IND_SLOTS = 2 ** IND_BITS;
/** Largest jump in SEQ the USIM accepts (Annex C.2.1 limit delta). */
export const SEQ_DELTA = 2 ** 28;
const SQN_LIMIT = 2 ** 48;

export function seqOf(sqn: number): number {
  return Math.floor(sqn / IND_SLOTS);
}

export function indOf(sqn: number): number {
  return sqn % IND_SLOTS;
}

export function sqnOf(seq: number, ind: number): number {
  return seq * IND_SLOTS + ind;
}

export function sqnToBytes(sqn: number): Buffer {
  if (!Number.isSafeInteger(sqn) || sqn < 0 || sqn >= SQN_LIMIT) {
    throw new RangeError(`SQN must be an integer in [0, 2^48), got ${sqn}`);
  }
  const bytes = Buffer.alloc(SQN_BYTES);
  bytes.writeUIntBE(sqn, 0, SQN_BYTES);
  return bytes;
}

export function sqnFromBytes(bytes: Buffer): number {
  if (bytes.length !== SQN_BYTES) throw new RangeError(`SQN must be ${SQN_BYTES} bytes, got ${bytes.length}`);
  return bytes.readUIntBE(0, SQN_BYTES);
}

/** Network side (HSS/AuC): hands out the next SQN and resynchronises from a USIM's SQN_MS. */
export class SqnGenerator {
  private seq: number;
  private nextInd = 0;

  /** `lastSqn`: the highest SQN already used for this SIM (0 for a new SIM). */
  constructor(lastSqn = 0) {
    this.seq = seqOf(lastSqn);
  }

  next(): number {
    this.seq += 1;
    const sqn = sqnOf(this.seq, this.nextInd);
    this.nextInd = (this.nextInd + 1) % IND_SLOTS;
    return sqn;
  }

  /** After a valid AUTS: continue above the USIM's highest accepted SEQ. */
  resync(sqnMs: number): void {
    this.seq = seqOf(sqnMs);
  }

  /** The highest SQN handed out (what fleet.json persists as `sqn`). */
  get lastSqn(): number {
    return sqnOf(this.seq, 0);
  }
}

/** USIM side: the per-IND array of accepted SEQs and the freshness check of Annex C.2. */
export class SqnWindow {
  private readonly seqByInd: number[];
  private highestSqn: number;

  constructor(highestAcceptedSqn = 0) {
    this.seqByInd = new Array<number>(IND_SLOTS).fill(seqOf(highestAcceptedSqn));
    this.highestSqn = highestAcceptedSqn;
  }

  /** SQN_MS: the highest SQN accepted so far, sent back in AUTS on a sync failure. */
  get sqnMs(): number {
    return this.highestSqn;
  }

  isFresh(sqn: number): boolean {
    const seq = seqOf(sqn);
    return seq > this.seqByInd[indOf(sqn)]! && seq - seqOf(this.highestSqn) <= SEQ_DELTA;
  }

  /** Records an SQN the USIM accepted; call only after isFresh(). */
  accept(sqn: number): void {
    this.seqByInd[indOf(sqn)] = seqOf(sqn);
    if (sqn > this.highestSqn) this.highestSqn = sqn;
  }
}
