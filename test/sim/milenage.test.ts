import { describe, expect, it } from 'vitest';
import { buildAuts, generateAuthVector, usimAuthenticate, verifyAuts } from '../../src/sim/aka.js';
import { Milenage } from '../../src/sim/milenage.js';
import { SqnWindow, sqnFromBytes } from '../../src/sim/sqn.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

// 3GPP TS 35.208 test sets 1-3 (as given in shared/reference/krypton.md §3).
const testSets = [
  {
    k: '465b5ce8b199b49faa5f0a2ee238a6bc',
    rand: '23553cbe9637a89d218ae64dae47bf35',
    sqn: 'ff9bb4d0b607',
    amf: 'b9b9',
    op: 'cdc202d5123e20f62b6d676ac72cb318',
    opc: 'cd63cb71954a9f4e48a5994e37a02baf',
    f1: '4a9ffac354dfafb3',
    f1star: '01cfaf9ec4e871e9',
    f2: 'a54211d5e3ba50bf',
    f3: 'b40ba9a3c58b2a05bbf0d987b21bf8cb',
    f4: 'f769bcd751044604127672711c6d3441',
    f5: 'aa689c648370',
    f5star: '451e8beca43b',
  },
  {
    k: '0396eb317b6d1c36f19c1c84cd6ffd16',
    rand: 'c00d603103dcee52c4478119494202e8',
    sqn: 'fd8eef40df7d',
    amf: 'af17',
    op: 'ff53bade17df5d4e793073ce9d7579fa',
    opc: '53c15671c60a4b731c55b4a441c0bde2',
    f1: '5df5b31807e258b0',
    f1star: 'a8c016e51ef4a343',
    f2: 'd3a628ed988620f0',
    f3: '58c433ff7a7082acd424220f2b67c556',
    f4: '21a8c1f929702adb3e738488b9f5c5da',
    f5: 'c47783995f72',
    f5star: '30f1197061c1',
  },
  {
    k: 'fec86ba6eb707ed08905757b1bb44b8f',
    rand: '9f7c8d021accf4db213ccff0c7f71a6a',
    sqn: '9d0277595ffc',
    amf: '725c',
    op: 'dbc59adcb6f9a0ef735477b7fadf8374',
    opc: '1006020f0a478bf6b699f15c062e42b3',
    f1: '9cabc3e99baf7281',
    f1star: '95814ba2b3044324',
    f2: '8011c48c0c214ed2',
    f3: '5dbdbb2954e8f3cde665b046179a5098',
    f4: '59a92d3b476a0443487055cf88b2307b',
    f5: '33484dc2136b',
    f5star: 'deacdd848cc6',
  },
];

describe('MILENAGE against the TS 35.208 test sets', () => {
  testSets.forEach((set, index) => {
    it(`test set ${index + 1}: OPc, f1, f1*, f2, f3, f4, f5, f5*`, () => {
      const opc = Milenage.deriveOpc(hex(set.k), hex(set.op));
      expect(opc.toString('hex')).toBe(set.opc);
      const milenage = new Milenage(hex(set.k), opc);
      expect(milenage.f1(hex(set.rand), hex(set.sqn), hex(set.amf)).toString('hex')).toBe(set.f1);
      expect(milenage.f1star(hex(set.rand), hex(set.sqn), hex(set.amf)).toString('hex')).toBe(set.f1star);
      const keys = milenage.f2345(hex(set.rand));
      expect(keys.res.toString('hex')).toBe(set.f2);
      expect(keys.ck.toString('hex')).toBe(set.f3);
      expect(keys.ik.toString('hex')).toBe(set.f4);
      expect(keys.ak.toString('hex')).toBe(set.f5);
      expect(milenage.f5star(hex(set.rand)).toString('hex')).toBe(set.f5star);
    });
  });

  it('gives the same answers when one instance is reused across RANDs (the ECB cipher keeps no state)', () => {
    const [first, second] = testSets;
    const milenage = new Milenage(hex(first!.k), hex(first!.opc));
    milenage.f2345(hex(second!.rand));
    expect(milenage.f2345(hex(first!.rand)).res.toString('hex')).toBe(first!.f2);
  });

  it('rejects keys and inputs of the wrong size with a message naming the field', () => {
    expect(() => new Milenage(Buffer.alloc(15), Buffer.alloc(16))).toThrow(/K must be 16 bytes/);
    const milenage = new Milenage(Buffer.alloc(16), Buffer.alloc(16));
    expect(() => milenage.f2345(Buffer.alloc(8))).toThrow(/RAND must be 16 bytes/);
  });
});

describe('AUTN and AUTS', () => {
  const set1 = testSets[0]!;
  const milenage = new Milenage(hex(set1.k), hex(set1.opc));

  it('builds AUTN = (SQN xor AK) || AMF || MAC-A for test set 1', () => {
    const vector = generateAuthVector(milenage, sqnFromBytes(hex(set1.sqn)), hex(set1.rand), hex(set1.amf));
    expect(vector.autn.toString('hex')).toBe('55f328b43577b9b94a9ffac354dfafb3');
    expect(vector.autn.toString('base64')).toBe('VfMotDV3ublKn/rDVN+vsw==');
    expect(vector.xres.toString('base64')).toBe('pUIR1eO6UL8=');
  });

  it('builds AUTS for SQN_MS = SQN of test set 1 and recovers SQN_MS from it', () => {
    const sqnMs = sqnFromBytes(hex(set1.sqn));
    const auts = buildAuts(milenage, hex(set1.rand), sqnMs);
    expect(auts.toString('hex')).toBe('ba853f3c123ccf44e93596e355c6');
    expect(verifyAuts(milenage, hex(set1.rand), auts)).toBe(sqnMs);
  });

  it('reproduces the libosmocore end-to-end vector (K = OPc = 00..0f, RAND = 0, SQN = 0x22)', () => {
    const key = hex('000102030405060708090a0b0c0d0e0f');
    const osmo = new Milenage(key, key);
    const rand = Buffer.alloc(16);
    const vector = generateAuthVector(osmo, 0x22, rand, Buffer.alloc(2));
    expect(vector.autn.toString('hex')).toBe('ec9320c2c2120000c8b7de2a3449f1bd');
    expect(vector.xres.toString('hex')).toBe('e9fc88ccc8a35381');
    expect(vector.ck.toString('hex')).toBe('7200a184d8f2c758fbdf87900ddbf275');
    expect(vector.ik.toString('hex')).toBe('12cb2dd3e0ec8378f6fc1d606c619f47');
    expect(verifyAuts(osmo, rand, hex('8711a0ec9e1637df17f80b384ee4'))).toBe(31);
  });

  it('rejects an AUTS whose MAC-S was tampered with', () => {
    const auts = buildAuts(milenage, hex(set1.rand), 1234);
    auts[13] = auts[13]! ^ 1;
    expect(verifyAuts(milenage, hex(set1.rand), auts)).toBeUndefined();
  });

  it('the USIM answers RES/CK/IK for a fresh vector, AUTS for a stale one, MAC failure for a forged one', () => {
    const window = new SqnWindow(0);
    const fresh = generateAuthVector(milenage, 64);
    const answer = usimAuthenticate(milenage, window, fresh.rand, fresh.autn);
    expect(answer).toEqual({ kind: 'success', res: fresh.xres, ck: fresh.ck, ik: fresh.ik });

    const replay = usimAuthenticate(milenage, window, fresh.rand, fresh.autn);
    expect(replay.kind).toBe('sync-failure');
    if (replay.kind === 'sync-failure') expect(verifyAuts(milenage, fresh.rand, replay.auts)).toBe(64);

    const forged = Buffer.from(fresh.autn);
    forged[15] = forged[15]! ^ 0x80;
    expect(usimAuthenticate(milenage, window, fresh.rand, forged).kind).toBe('mac-failure');

    const otherSim = new Milenage(hex(testSets[1]!.k), hex(testSets[1]!.opc));
    const foreign = generateAuthVector(otherSim, 96);
    expect(usimAuthenticate(milenage, window, foreign.rand, foreign.autn).kind).toBe('mac-failure');
  });
});
