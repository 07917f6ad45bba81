/**
 * Krypton benchmark: SIM authentications per second (keys API: challenge, USIM, verify) and
 * bootstraps per second over the cellular path, against the embedded emulator with --quotas none
 * and EC P-256 device keys. The devices run in a child process (bench/krypton-devices.ts), each
 * on its own TLS connection; the emulator (control plane + Krypton) runs here, so the CPU each
 * side spends per operation is reported separately. CPU ms per operation is the steadier figure
 * on a shared machine; the service's ms per bootstrap bounds its rate per core.
 *
 * Each phase first runs on `--warmup` other SIMs (reported on their own line) so the measured
 * figures are the service's steady state, not V8 compiling the SDK and the control plane.
 *
 *   npx tsx bench/krypton.ts [--devices 1000] [--concurrency 32] [--warmup 500]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KryptonClient } from '../scenarios/lib/krypton-client.js';
import { startEmulator } from '../src/emulator/index.js';
import { kryptonListener } from '../src/emulator/krypton/listener.js';
import { generateAuthVector, usimAuthenticate } from '../src/sim/aka.js';
import { generateFleet } from '../src/sim/generate.js';
import { Milenage } from '../src/sim/milenage.js';
import { hasSecrets, type SimWithSecrets } from '../src/sim/sim-record.js';
import { SqnWindow } from '../src/sim/sqn.js';
import type { DeviceJob, DeviceJobResult } from './krypton-devices.js';

// Node 20 on purpose, as src/targets/iot-client.ts: the SDK's notice about Node 22 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '500' },
  },
});
const devices = Number(values.devices);
const concurrency = Number(values.concurrency);
const warmup = Number(values.warmup);
const devicesScript = fileURLToPath(new URL('./krypton-devices.ts', import.meta.url));

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

/** Runs one phase in the device process while measuring this (service) process's CPU. */
async function runDevices(dir: string, job: DeviceJob): Promise<DeviceJobResult & { serviceCpuMs: number }> {
  const jobFile = join(dir, `${job.phase}.json`);
  await writeFile(jobFile, JSON.stringify(job), { mode: 0o600 });
  const cpuBefore = process.cpuUsage();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', devicesScript, jobFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`device process exited with ${code}`)),
    );
  });
  const cpu = process.cpuUsage(cpuBefore);
  const result = JSON.parse(output.trim().split('\n').pop()!) as DeviceJobResult;
  return { ...result, serviceCpuMs: (cpu.user + cpu.system) / 1000 };
}

function report(what: string, count: number, result: DeviceJobResult & { serviceCpuMs: number }): void {
  const serviceMs = result.serviceCpuMs / count;
  const deviceMs = result.deviceCpuMs / count;
  const cores = cpus().length;
  console.log(
    `${what}: ${count} in ${result.seconds.toFixed(2)} s = ${Math.round(count / result.seconds)}/s wall; ` +
      `service ${serviceMs.toFixed(2)} CPU ms each (${Math.round(1000 / serviceMs)}/s per core, ` +
      `service capacity on ${cores} cores ${Math.round((cores * 1000) / serviceMs)}/s), ` +
      `device side ${deviceMs.toFixed(2)} ms each, both ${(serviceMs + deviceMs).toFixed(2)} CPU ms each` +
      (result.failures ? `; ${result.failures} FAILED, first: ${result.firstError}` : ''),
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'provbench-bench-krypton-'));
  const emulator = await startEmulator({
    quotas: 'none',
    deviceKeyAlgorithm: 'ec-p256',
    listeners: [kryptonListener],
  });
  const kryptonUrl = emulator.kryptonUrl!;
  const harness = new KryptonClient({ baseUrl: kryptonUrl, ca: emulator.pki.bundlePem });
  try {
    const fleet = generateFleet({ devices: warmup + devices, seed: Date.now() }).filter(
      hasSecrets,
    ) as SimWithSecrets[];
    const added = await harness.send('/_emulator/sims', JSON.stringify(fleet), {});
    if (added.status !== 200) throw new Error(`adding SIMs failed: ${added.body.toString()}`);
    const warmupSims = fleet.slice(0, warmup);
    const sims = fleet.slice(warmup);

    console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}`);
    console.log(`MILENAGE vector + USIM check, one core: ${Math.round(milenageRate())}/s`);
    const common = { kryptonUrl, caFile: emulator.rootCaFile, concurrency };
    const authentications = 'SIM authentications (POST /v1/keys + verify)';
    if (warmup > 0) {
      report(
        `warm-up, not counted: ${authentications}`,
        warmup,
        await runDevices(dir, { ...common, sims: warmupSims, phase: 'authenticate' }),
      );
    }
    report(authentications, sims.length, await runDevices(dir, { ...common, sims, phase: 'authenticate' }));

    const addresses: string[] = [];
    for (const sim of fleet) {
      const attached = await harness.send(`/_emulator/sims/${sim.imsi}/attach`, '', {});
      addresses.push((JSON.parse(attached.body.toString()) as { address: string }).address);
    }
    const bootstraps = `cellular bootstraps (EC keys, quotas none, concurrency ${concurrency})`;
    if (warmup > 0) {
      report(
        `warm-up, not counted: ${bootstraps}`,
        warmup,
        await runDevices(dir, {
          ...common,
          sims: warmupSims,
          phase: 'bootstrap',
          addresses: addresses.slice(0, warmup),
        }),
      );
    }
    report(
      bootstraps,
      sims.length,
      await runDevices(dir, { ...common, sims, phase: 'bootstrap', addresses: addresses.slice(warmup) }),
    );
  } finally {
    harness.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
