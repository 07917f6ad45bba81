import type { Scenario } from '../../../src/contract/index.js';
import { fixtureFacts } from './facts.js';

/**
 * A network-free scenario whose boot takes `SLOW_BOOT_MS` (default 200) ms; with
 * `SLOW_HANG_EVERY=n`, every n-th device (index % n === n - 1) never finishes on its own
 * (it waits for ctx.signal), to exercise timeouts and interrupts. Each boot records one
 * ledger entry, so interrupted runs still leave a ledger.
 */
const bootMs = Number(process.env.SLOW_BOOT_MS ?? 200);
const hangEvery = Number(process.env.SLOW_HANG_EVERY ?? 0);

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

const scenario: Scenario = {
  id: 'slow',
  title: 'Slow test scenario',
  facts: fixtureFacts,
  async prepare() {},
  async boot(device, ctx) {
    const hangs = hangEvery > 0 && device.index % hangEvery === hangEvery - 1;
    await ctx.phase('work', async () => {
      ctx.ledger.acknowledge(ctx.ledger.intend({ kind: 'thing', name: device.name }));
      await wait(hangs ? 3_600_000 : bootMs, ctx.signal);
    });
  },
  async teardown() {},
};

export default scenario;
