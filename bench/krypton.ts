/**
 * Krypton benchmark: SIM authentications per second (keys API: challenge, USIM, verify) and
 * bootstraps per second over the cellular path, against the embedded emulator with --quotas none
 * and EC P-256 device keys. Every device opens its own TLS connections, as separate devices do.
 * Prints wall-clock rates and the process CPU time per operation (client, Krypton service and
 * control plane all run in this process, so CPU ms/op is the cost on this machine whatever else
 * is running on it).
 *
 *   npx tsx bench/krypton.ts [--devices 1000] [--concurrency 32]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEmulator } from '../src/emulator/index.js';
import { kryptonListener } from '../src/emulator/krypton/listener.js';
import { generateAuthVector, usimAuthenticate } from '../src/fleet/aka.js';
import { generateFleet } from '../src/fleet/generate.js';
import { KryptonClient } from '../src/fleet/krypton-client.js';
import { Milenage } from '../src/fleet/milenage.js';
import { SimCard } from '../src/fleet/sim-card.js';
import { hasSecrets } from '../src/fleet/sim-record.js';
import { SqnWindow } from '../src/fleet/sqn.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
  },
});
const devices = Number(values.devices);
const concurrency = Number(values.concurrency);

interface Measured {
  seconds: number;
  cpuMsPerOp: number;
  rate: number;
}

async function measure(count: number, worker: (index: number) => Promise<void>): Promise<Measured> {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await worker(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds, rate: count / seconds, cpuMsPerOp: (cpu.user + cpu.system) / 1000 / count };
}

function report(what: string, count: number, result: Measured): void {
  console.log(
    `${what}: ${count} in ${result.seconds.toFixed(2)} s = ${Math.round(result.rate)}/s wall, ` +
      `${result.cpuMsPerOp.toFixed(2)} CPU ms each (= ${Math.round(1000 / result.cpuMsPerOp)}/s per saturated core)`,
  );
}

function milenageRate(): number {
  const milenage = new Milenage(Buffer.alloc(16, 1), Buffer.alloc(16, 2));
  const window = new SqnWindow();
  const rounds = 50_000;
  const started = performance.now();
  for (let i = 1; i <= rounds; i++) {
    const vector = generateAuthVector(milenage, i * 32);
    usimAuthenticate(milenage, window, vector.rand, vector.autn);
  }
  return rounds / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const emulator = await startEmulator({
    quotas: 'none',
    deviceKeyAlgorithm: 'ec-p256',
    listeners: [kryptonListener],
  });
  const kryptonUrl = emulator.kryptonUrl!;
  const ca = emulator.pki.bundlePem;
  const harness = new KryptonClient({ baseUrl: kryptonUrl, ca });
  const sims = generateFleet({ devices, seed: Date.now() }).filter(hasSecrets);
  for (let i = 0; i < sims.length; i += 500) {
    const added = await harness.send('/_emulator/sims', JSON.stringify(sims.slice(i, i + 500)), {});
    if (added.status !== 200) throw new Error(`adding SIMs failed: ${added.body.toString()}`);
  }
  const device = (localAddress?: string) =>
    new KryptonClient({
      baseUrl: kryptonUrl,
      ca,
      keepAlive: true,
      ...(localAddress ? { localAddress } : {}),
    });

  console.log(
    `machine: ${(await import('node:os')).cpus().length} cores, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`,
  );
  console.log(`MILENAGE vector + USIM check, one core: ${Math.round(milenageRate())}/s`);

  const auth = await measure(sims.length, async (index) => {
    const client = device();
    try {
      await client.authenticate(new SimCard(sims[index]!));
    } finally {
      client.close();
    }
  });
  report('SIM authentications (POST /v1/keys + verify)', sims.length, auth);

  const addresses: string[] = [];
  for (const sim of sims) {
    const attached = await harness.send(`/_emulator/sims/${sim.imsi}/attach`, '', {});
    addresses.push((JSON.parse(attached.body.toString()) as { address: string }).address);
  }
  const bootstrap = await measure(sims.length, async (index) => {
    const client = device(addresses[index]);
    try {
      await client.bootstrap();
    } finally {
      client.close();
    }
  });
  report(`cellular bootstraps (EC keys, quotas none, concurrency ${concurrency})`, sims.length, bootstrap);

  harness.close();
  await emulator.close();
}

await main();
