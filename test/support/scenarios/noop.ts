import type { Scenario } from '../../../src/contract/index.js';
import { fixtureFacts } from './facts.js';

/** A device that waits 20 ms in two phases and does nothing else: engine overhead only. */
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const scenario: Scenario = {
  id: 'noop',
  title: 'No-op device (engine benchmark)',
  facts: fixtureFacts,
  async prepare() {},
  async boot(_device, ctx) {
    await ctx.phase('first', () => wait(10));
    await ctx.phase('second', () => ctx.call('NoopApi', () => wait(10)));
  },
  async teardown() {},
};

export default scenario;
