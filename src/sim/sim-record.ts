import { z } from 'zod';

const digits = (name: string, min: number, max: number) =>
  z.string().regex(new RegExp(`^\\d{${min},${max}}$`), `${name} must be ${min}-${max} decimal digits`);
const hex128 = (name: string) => z.string().regex(/^[0-9a-fA-F]{32}$/, `${name} must be 32 hex digits`);

/** One SIM as fleet.json holds it (docs/design.md, fleet.json). */
export const simRecordSchema = z.object({
  imsi: digits('imsi', 15, 15),
  iccid: digits('iccid', 18, 20),
  msisdn: digits('msisdn', 6, 15),
  imei: digits('imei', 15, 15),
  simId: digits('simId', 10, 20).optional(),
  group: z.string().min(1).max(128),
  /** Subscriber key K; absent in fleets exported without secrets. */
  ki: hex128('ki').optional(),
  /** Operator variant derived for this SIM; absent in fleets exported without secrets. */
  opc: hex128('opc').optional(),
  /** Highest SQN the network has used for this SIM (48-bit). */
  sqn: z
    .number()
    .int()
    .min(0)
    .max(2 ** 48 - 1)
    .optional(),
});

export type SimRecord = z.infer<typeof simRecordSchema>;

/** A SIM whose secrets are known: what the network and a simulated device both need. */
export type SimWithSecrets = SimRecord & { ki: string; opc: string };

export function hasSecrets(sim: SimRecord): sim is SimWithSecrets {
  return sim.ki !== undefined && sim.opc !== undefined;
}

export const fleetSchema = z.array(simRecordSchema).superRefine((sims, ctx) => {
  const seen = new Set<string>();
  sims.forEach((sim, index) => {
    if (seen.has(sim.imsi)) {
      ctx.addIssue({ code: 'custom', path: [index, 'imsi'], message: `duplicate imsi ${sim.imsi}` });
    }
    seen.add(sim.imsi);
  });
});

export function withoutSecrets(sim: SimRecord): SimRecord {
  const { ki: _ki, opc: _opc, ...rest } = sim;
  return rest;
}
