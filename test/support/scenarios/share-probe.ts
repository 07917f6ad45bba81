import { workerData } from 'node:worker_threads';
import type { Scenario } from '../../../src/contract/index.js';
import { fixtureFacts } from './facts.js';

/**
 * Records, per device, what its worker was given: the device's index, its SIM's IMSI and the
 * size of the worker's input (workerData), as a ledger entry named `index:imsi:bytes`.
 */
const scenario: Scenario = {
  id: 'share-probe',
  title: 'Worker input probe',
  facts: fixtureFacts,
  async prepare() {},
  async boot(device, ctx) {
    const workerInputBytes = JSON.stringify(workerData).length;
    ctx.ledger.intend({ kind: 'thing', name: `${device.index}:${device.sim.imsi}:${workerInputBytes}` });
  },
  async teardown() {},
};

export default scenario;
