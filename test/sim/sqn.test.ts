import { describe, expect, it } from 'vitest';
import { generateAuthVector, usimAuthenticate, verifyAuts } from '../../src/sim/aka.js';
import { Milenage } from '../../src/sim/milenage.js';
import {
  IND_SLOTS,
  SEQ_DELTA,
  SqnGenerator,
  SqnWindow,
  sqnFromBytes,
  sqnOf,
  sqnToBytes,
} from '../../src/sim/sqn.js';

describe('SQN freshness (TS 33.102 Annex C, SEQ||IND)', () => {
  it('the generator moves SEQ forward and cycles IND through the 32 slots', () => {
    const generator = new SqnGenerator(0);
    const sqns = Array.from({ length: IND_SLOTS + 1 }, () => generator.next());
    expect(new Set(sqns.map((sqn) => sqn % IND_SLOTS)).size).toBe(IND_SLOTS);
    expect(sqns[0]).toBe(sqnOf(1, 0));
    expect(sqns[IND_SLOTS]).toBe(sqnOf(IND_SLOTS + 1, 0));
    for (let i = 1; i < sqns.length; i++) expect(sqns[i]!).toBeGreaterThan(sqns[i - 1]!);
  });

  it('accepts vectors that arrive out of order in different IND slots, rejects reuse in a slot', () => {
    const generator = new SqnGenerator();
    const window = new SqnWindow();
    const first = generator.next();
    const second = generator.next();
    expect(window.isFresh(second)).toBe(true);
    window.accept(second);
    expect(window.isFresh(first)).toBe(true);
    window.accept(first);
    expect(window.isFresh(first)).toBe(false);
    expect(window.isFresh(second)).toBe(false);
    expect(window.sqnMs).toBe(second);
  });

  it('rejects a SEQ more than delta ahead of the highest accepted one', () => {
    const window = new SqnWindow(sqnOf(10, 0));
    expect(window.isFresh(sqnOf(10 + SEQ_DELTA, 1))).toBe(true);
    expect(window.isFresh(sqnOf(11 + SEQ_DELTA, 1))).toBe(false);
  });

  it('encodes SQN in 6 bytes big-endian and refuses values outside 48 bits', () => {
    expect(sqnToBytes(0xff9bb4d0b607).toString('hex')).toBe('ff9bb4d0b607');
    expect(sqnFromBytes(Buffer.from('000000000022', 'hex'))).toBe(0x22);
    expect(() => sqnToBytes(2 ** 48)).toThrow(/2\^48/);
    expect(() => sqnToBytes(-1)).toThrow();
  });

  it('resynchronises: network behind the card -> AUTS -> network continues above SQN_MS -> success', () => {
    const key = Buffer.from('465b5ce8b199b49faa5f0a2ee238a6bc', 'hex');
    const milenage = new Milenage(key, Milenage.deriveOpc(key, Buffer.alloc(16, 7)));
    const card = new SqnWindow(sqnOf(5000, 3));
    const network = new SqnGenerator(sqnOf(10, 0));

    const stale = generateAuthVector(milenage, network.next());
    const answer = usimAuthenticate(milenage, card, stale.rand, stale.autn);
    expect(answer.kind).toBe('sync-failure');
    if (answer.kind !== 'sync-failure') return;
    const sqnMs = verifyAuts(milenage, stale.rand, answer.auts);
    expect(sqnMs).toBe(sqnOf(5000, 3));
    network.resync(sqnMs!);

    const fresh = generateAuthVector(milenage, network.next());
    expect(usimAuthenticate(milenage, card, fresh.rand, fresh.autn).kind).toBe('success');
  });
});
