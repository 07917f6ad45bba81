import { AuthRejectedError, type Scenario, ThrottledError } from '../../../src/contract/index.js';
import { fixtureFacts } from './facts.js';

/**
 * A network-free scenario for engine tests. Every 10th device (index % 10 === 3) fails in
 * `connect` with auth_rejected; every device's `register` call is throttled once before it
 * succeeds (one retry per device); phases sleep a few ms. `prepare` hands a value to workers
 * through ctx.shared, and boot fails if it did not arrive.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SleepyState {
  serial: string;
}

const scenario: Scenario<SleepyState> = {
  id: 'sleepy',
  title: 'Sleepy test scenario',
  facts: { ...fixtureFacts, factorySteps: ['write serial'] },
  async prepare(ctx) {
    await ctx.phase('setup', () => sleep(5));
    ctx.shared.token = `prepared-${ctx.runId}`;
  },
  async manufacture(device, ctx) {
    await ctx.phase('factory', async () => {
      await sleep(1);
      device.state.serial = `S${device.index}`;
    });
  },
  async boot(device, ctx) {
    if (ctx.shared.token !== `prepared-${ctx.runId}`) throw new Error('shared state missing in worker');
    if (device.state.serial !== `S${device.index}`) throw new Error('manufacture state missing in boot');
    await ctx.phase('register', () =>
      ctx.call('Register', async (attempt) => {
        if (attempt === 1) throw new ThrottledError('Rate exceeded');
        await sleep(2);
      }),
    );
    await ctx.phase('connect', async () => {
      await sleep(3);
      if (device.index % 10 === 3) throw new AuthRejectedError('Connection refused: Not authorized');
    });
  },
  async teardown(ctx) {
    await ctx.phase('cleanup', () => sleep(1));
  },
};

export default scenario;
