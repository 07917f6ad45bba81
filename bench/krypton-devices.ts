/**
 * The device side of bench/krypton.ts, in its own process so the service's CPU can be told
 * apart from the devices'. Reads a job file, runs one phase, prints one JSON line.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { KryptonClient } from '../scenarios/lib/krypton-client.js';
import { SimCard } from '../src/sim/sim-card.js';
import type { SimWithSecrets } from '../src/sim/sim-record.js';

export interface DeviceJob {
  phase: 'authenticate' | 'bootstrap';
  kryptonUrl: string;
  caFile: string;
  concurrency: number;
  sims: SimWithSecrets[];
  /** Cellular session address per SIM (bootstrap phase). */
  addresses?: string[];
}

export interface DeviceJobResult {
  seconds: number;
  deviceCpuMs: number;
  failures: number;
  firstError?: string;
}

const job = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as DeviceJob;
const ca = await readFile(job.caFile, 'utf8');
let next = 0;
let failures = 0;
let firstError: string | undefined;
const cpuBefore = process.cpuUsage();
const started = performance.now();
await Promise.all(
  Array.from({ length: Math.min(job.concurrency, job.sims.length) }, async () => {
    while (next < job.sims.length) {
      const index = next++;
      const localAddress = job.addresses?.[index];
      const client = new KryptonClient({
        baseUrl: job.kryptonUrl,
        ca,
        ...(localAddress ? { localAddress } : {}),
      });
      try {
        if (job.phase === 'authenticate') await client.authenticate(new SimCard(job.sims[index]!));
        else await client.bootstrap();
      } catch (error) {
        failures++;
        firstError ??= (error as Error).message;
      } finally {
        client.close();
      }
    }
  }),
);
const cpu = process.cpuUsage(cpuBefore);
const result: DeviceJobResult = {
  seconds: (performance.now() - started) / 1000,
  deviceCpuMs: (cpu.user + cpu.system) / 1000,
  failures,
  ...(firstError ? { firstError } : {}),
};
console.log(JSON.stringify(result));
