import { type UsimAnswer, usimAuthenticate } from './aka.js';
import { Milenage } from './milenage.js';
import type { SimWithSecrets } from './sim-record.js';
import { SqnWindow } from './sqn.js';

/** The USIM in a simulated device: holds Ki/OPc and its SQN window, answers AUTHENTICATE. */
export class SimCard {
  readonly imsi: string;
  private readonly milenage: Milenage;
  private readonly window: SqnWindow;

  constructor(sim: SimWithSecrets, highestAcceptedSqn = 0) {
    this.imsi = sim.imsi;
    this.milenage = new Milenage(Buffer.from(sim.ki, 'hex'), Buffer.from(sim.opc, 'hex'));
    this.window = new SqnWindow(highestAcceptedSqn);
  }

  authenticate(rand: Buffer, autn: Buffer): UsimAnswer {
    return usimAuthenticate(this.milenage, this.window, rand, autn);
  }

  /** SQN_MS: the highest SQN this card has accepted. */
  get sqnMs(): number {
    return this.window.sqnMs;
  }
}
