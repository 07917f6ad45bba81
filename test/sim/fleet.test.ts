import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAuthVector } from '../../src/sim/aka.js';
import { FleetFileError, parseFleet, readFleetFile, writeFleetFile } from '../../src/sim/fleet-file.js';
import { generateFleet } from '../../src/sim/generate.js';
import { isLuhnValid, luhnCheckDigit } from '../../src/sim/identifiers.js';
import { Milenage } from '../../src/sim/milenage.js';
import { SimCard } from '../../src/sim/sim-card.js';
import { hasSecrets } from '../../src/sim/sim-record.js';

describe('identifiers', () => {
  it('computes Luhn check digits as pySim does (known-valid SORACOM SIM id, IMEI)', () => {
    expect(isLuhnValid('8942310221008800007')).toBe(true);
    expect(isLuhnValid('8942310000012345678')).toBe(false);
    expect(luhnCheckDigit('49015420323751')).toBe('8');
    expect(luhnCheckDigit('7992739871')).toBe('3');
  });
});

describe('generateFleet', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateFleet({ devices: 5, seed: 42 });
    expect(generateFleet({ devices: 5, seed: 42 })).toEqual(a);
    const b = generateFleet({ devices: 5, seed: 43 });
    expect(b[0]!.imsi).not.toBe(a[0]!.imsi);
    expect(b[0]!.ki).not.toBe(a[0]!.ki);
    // A SIM's identity does not depend on how many SIMs are generated.
    expect(generateFleet({ devices: 2, seed: 42 })[1]).toEqual(a[1]);
  });

  it('gives well-formed, unique identifiers with the default 295/05 prefix', () => {
    const fleet = generateFleet({ devices: 300, seed: 7 });
    for (const sim of fleet) {
      expect(sim.imsi).toMatch(/^29505\d{10}$/);
      expect(sim.iccid).toMatch(/^894231\d{13}$/);
      expect(isLuhnValid(sim.iccid)).toBe(true);
      expect(isLuhnValid(sim.simId!)).toBe(true);
      expect(sim.simId).not.toBe(sim.iccid);
      expect(sim.imei).toMatch(/^\d{15}$/);
      expect(isLuhnValid(sim.imei)).toBe(true);
      expect(sim.msisdn).toMatch(/^4236\d{8}$/);
      expect(sim.ki).toMatch(/^[0-9a-f]{32}$/);
      expect(sim.group).toBe('krypton');
    }
    for (const field of ['imsi', 'iccid', 'simId', 'imei', 'msisdn', 'ki'] as const) {
      expect(new Set(fleet.map((sim) => sim[field])).size).toBe(fleet.length);
    }
  });

  it('uses the configured MCC/MNC, group and OP (OPc = E_K(OP) xor OP)', () => {
    const op = 'ff53bade17df5d4e793073ce9d7579fa';
    const [sim] = generateFleet({ devices: 1, mcc: '440', mnc: '10', group: 'factory-b', op });
    expect(sim!.imsi).toMatch(/^44010\d{10}$/);
    expect(sim!.group).toBe('factory-b');
    expect(sim!.opc).toBe(
      Milenage.deriveOpc(Buffer.from(sim!.ki!, 'hex'), Buffer.from(op, 'hex')).toString('hex'),
    );
  });

  it('gives SIMs whose card authenticates vectors the network builds from the fleet record', () => {
    const [sim] = generateFleet({ devices: 1, seed: 3 });
    if (!sim || !hasSecrets(sim)) throw new Error('generated SIM lacks secrets');
    const network = new Milenage(Buffer.from(sim.ki, 'hex'), Buffer.from(sim.opc, 'hex'));
    const vector = generateAuthVector(network, 32);
    const answer = new SimCard(sim).authenticate(vector.rand, vector.autn);
    expect(answer.kind).toBe('success');
    if (answer.kind === 'success') expect(answer.ck.equals(vector.ck)).toBe(true);
  });

  it('refuses fleet sizes it cannot number', () => {
    expect(() => generateFleet({ devices: 0 })).toThrow(/devices must be/);
    expect(() => generateFleet({ devices: 1, mnc: '5' })).toThrow(/MNC/);
  });
});

describe('fleet.json', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-fleet-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips with secrets in a 0600 file', async () => {
    const fleet = generateFleet({ devices: 3, seed: 9 });
    const path = join(dir, 'fleet.json');
    await writeFile(path, '[]', { mode: 0o644 });
    await writeFleetFile(path, fleet);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFleetFile(path)).toEqual(fleet);
  });

  it('leaves Ki and OPc out when asked, and the result still validates', async () => {
    const fleet = generateFleet({ devices: 2, seed: 9 });
    const path = join(dir, 'public.json');
    await writeFleetFile(path, fleet, { omitSecrets: true });
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(fleet[0]!.ki!);
    expect(text).not.toMatch(/"(ki|opc)"/);
    const read = await readFleetFile(path);
    expect(read[0]!.imsi).toBe(fleet[0]!.imsi);
    expect(hasSecrets(read[0]!)).toBe(false);
  });

  it('names the SIM and field that is wrong, and catches duplicate IMSIs', () => {
    const [sim] = generateFleet({ devices: 1 });
    expect(() => parseFleet(JSON.stringify([{ ...sim, ki: 'zz' }]))).toThrow(
      /\[0\.ki\] ki must be 32 hex digits/,
    );
    expect(() => parseFleet(JSON.stringify([sim, sim]))).toThrow(/duplicate imsi/);
    expect(() => parseFleet('{"not":"an array"}')).toThrow(FleetFileError);
    expect(() => parseFleet('[')).toThrow(/not valid JSON/);
  });
});
