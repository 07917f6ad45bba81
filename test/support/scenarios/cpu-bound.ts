import { generateKeyPairSync, sign } from 'node:crypto';
import type { Scenario } from '../../../src/contract/index.js';
import { fixtureFacts } from './facts.js';

/**
 * A network-free scenario whose boot is pure CPU (an EC P-256 key pair and 20 signatures, about
 * what a device does around a TLS handshake): used by bench/engine.ts to show that worker
 * threads spread devices over the cores.
 */
const scenario: Scenario = {
  id: 'cpu-bound',
  title: 'CPU-bound device (engine benchmark)',
  facts: fixtureFacts,
  async prepare() {},
  async boot(device, ctx) {
    await ctx.phase('keygen-and-sign', async () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      for (let i = 0; i < 20; i++) sign('sha256', Buffer.from(`${device.name}-${i}`), privateKey);
    });
  },
  async teardown() {},
};

export default scenario;
