import { Milenage } from '../../sim/milenage.js';
import { hasSecrets, type SimRecord } from '../../sim/sim-record.js';
import { SqnGenerator } from '../../sim/sqn.js';
import { KryptonError } from './errors.js';

/** What the home network holds for one SIM: its record, MILENAGE for its keys, its SQN counter. */
export interface Subscriber {
  sim: SimRecord;
  /** Absent when the SIM was loaded without Ki/OPc: it can use the cellular path only. */
  milenage?: Milenage;
  sqn: SqnGenerator;
  createdAt: number;
}

/** The HSS: SIMs by IMSI, loaded from fleet.json or added at run time. */
export class SubscriberRegistry {
  private readonly byImsi = new Map<string, Subscriber>();

  /** Adds or replaces SIMs by IMSI; a replaced SIM keeps its SQN counter unless its keys changed. */
  upsert(sims: readonly SimRecord[]): { added: number; replaced: number } {
    let added = 0;
    let replaced = 0;
    for (const sim of sims) {
      const existing = this.byImsi.get(sim.imsi);
      const sameKeys = existing && existing.sim.ki === sim.ki && existing.sim.opc === sim.opc;
      this.byImsi.set(sim.imsi, {
        sim,
        milenage: hasSecrets(sim)
          ? new Milenage(Buffer.from(sim.ki, 'hex'), Buffer.from(sim.opc, 'hex'))
          : undefined,
        sqn: sameKeys ? existing.sqn : new SqnGenerator(sim.sqn ?? 0),
        createdAt: existing?.createdAt ?? Date.now(),
      });
      if (existing) replaced++;
      else added++;
    }
    return { added, replaced };
  }

  get(imsi: string): Subscriber | undefined {
    return this.byImsi.get(imsi);
  }

  /** The SIM with this IMSI; a 404 UNKNOWN_IMSI KryptonError when the operator has none. */
  known(imsi: string): Subscriber {
    const subscriber = this.byImsi.get(imsi);
    if (!subscriber) {
      throw new KryptonError(
        404,
        'UNKNOWN_IMSI',
        `IMSI ${imsi} is not a SIM of this operator; add it to the fleet first`,
      );
    }
    return subscriber;
  }

  get size(): number {
    return this.byImsi.size;
  }
}
