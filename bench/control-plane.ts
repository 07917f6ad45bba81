/**
 * Control-plane benchmark (quotas off): CreateThing/s and CreateKeysAndCertificate/s with the
 * key pool warm (RSA-2048 as AWS issues, and EC P-256 for speed runs), the server's CPU ms per
 * call, its peak RSS, and start-to-ready time on an existing state dir. The server runs in its
 * own process (bench/control-plane-server.ts); the client here uses @aws-sdk/client-iot, and
 * CreateThing is also driven over raw keep-alive HTTP to show the server's own ceiling.
 *
 *   npx tsx bench/control-plane.ts [--things 5000] [--rsa-keys 200] [--ec-keys 2000] [--concurrency 64]
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateKeysAndCertificateCommand, CreateThingCommand, IoTClient } from '@aws-sdk/client-iot';
import { startEmulator } from '../src/emulator/index.js';

const { values } = parseArgs({
  options: {
    things: { type: 'string', default: '5000' },
    'rsa-keys': { type: 'string', default: '200' },
    'ec-keys': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
  },
});
const concurrency = Number(values.concurrency);
const root = fileURLToPath(new URL('..', import.meta.url));

interface Stats {
  cpuMs: number;
  rssMb: number;
  maxRssMb: number;
  poolAvailable: number;
}

class ServerProcess {
  private readonly lines: Interface;
  private readonly pending: Array<(line: string) => void> = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => this.pending.shift()?.(line));
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  }

  static async start(algorithm: string, poolSize: number): Promise<{ server: ServerProcess; url: string }> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/control-plane-server.ts', algorithm, String(poolSize)],
      {
        cwd: root,
      },
    );
    const server = new ServerProcess(child);
    const ready = JSON.parse(await server.next()) as { controlPlaneUrl: string };
    return { server, url: ready.controlPlaneUrl };
  }

  private next(): Promise<string> {
    return new Promise((resolve) => this.pending.push(resolve));
  }

  async stats(): Promise<Stats> {
    const answer = this.next();
    this.child.stdin.write('stats\n');
    return JSON.parse(await answer) as Stats;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }
}

function client(url: string): IoTClient {
  return new IoTClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: concurrency }) },
  });
}

/** Runs `count` calls with `concurrency` in flight; returns calls per second. */
async function drive(count: number, call: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await call(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

function rawPost(agent: Agent, url: URL, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = '{}';
    const outgoing = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`)),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function measure(
  label: string,
  server: ServerProcess,
  count: number,
  call: (index: number) => Promise<unknown>,
) {
  const before = await server.stats();
  const rate = await drive(count, call);
  const after = await server.stats();
  const cpuPerCall = (after.cpuMs - before.cpuMs) / count;
  console.log(
    `${label.padEnd(44)} ${rate.toFixed(0).padStart(6)} calls/s   server ${cpuPerCall.toFixed(3)} CPU ms/call (${(1000 / cpuPerCall).toFixed(0)}/s per core)`,
  );
  return after;
}

async function waitForPool(server: ServerProcess, size: number): Promise<number> {
  const started = performance.now();
  while ((await server.stats()).poolAvailable < size)
    await new Promise((resolve) => setTimeout(resolve, 250));
  return (performance.now() - started) / 1000;
}

async function startToReady(): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'provbench-bench-state-'));
  try {
    const first = await startEmulator({ stateDir, quotas: 'none', listeners: [], keyPoolSize: 0 });
    await first.close();
    const times: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      const started = performance.now();
      const emulator = await startEmulator({ stateDir, quotas: 'none', listeners: [], keyPoolSize: 0 });
      times.push(performance.now() - started);
      await emulator.close();
    }
    console.log(
      `startEmulator (control plane, existing state dir), in process: ${times.map((t) => t.toFixed(0)).join(' / ')} ms`,
    );
    const cliTimes: number[] = [];
    for (let run = 0; run < 2; run += 1) {
      const readyFile = join(stateDir, `ready-${run}.json`);
      const started = performance.now();
      const child = spawn(
        process.execPath,
        [
          'bin/provbench.js',
          'emulator',
          '--state-dir',
          stateDir,
          '--ready-file',
          readyFile,
          '--quotas',
          'none',
          '--key-pool',
          '0',
        ],
        { cwd: root, stdio: 'ignore' },
      );
      while (!existsSync(readyFile)) await new Promise((resolve) => setTimeout(resolve, 10));
      cliTimes.push(performance.now() - started);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    console.log(
      `provbench emulator (all listeners), process spawn to ready file: ${cliTimes.map((t) => t.toFixed(0)).join(' / ')} ms`,
    );
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

console.log(
  `control-plane benchmark: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}, concurrency ${concurrency}, quotas none`,
);
const things = Number(values.things);
{
  const { server, url } = await ServerProcess.start('ec-p256', 0);
  const iot = client(url);
  await measure('CreateThing (AWS SDK v3 client)', server, things, (index) =>
    iot.send(new CreateThingCommand({ thingName: `bench-sdk-${index}` })),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const stats = await measure('CreateThing (raw keep-alive HTTP client)', server, things, (index) =>
    rawPost(agent, target, `/things/bench-raw-${index}`),
  );
  console.log(
    `  server RSS after ${things * 2} things: ${stats.rssMb.toFixed(0)} MB, peak ${stats.maxRssMb.toFixed(0)} MB`,
  );
  agent.destroy();
  iot.destroy();
  await server.stop();
}
for (const [algorithm, size] of [
  ['rsa-2048', Number(values['rsa-keys'])],
  ['ec-p256', Number(values['ec-keys'])],
] as const) {
  const { server, url } = await ServerProcess.start(algorithm, size);
  const fill = await waitForPool(server, size);
  console.log(`key pool of ${size} ${algorithm} keys filled by the worker in ${fill.toFixed(1)} s`);
  const iot = client(url);
  const stats = await measure(`CreateKeysAndCertificate ${algorithm}, pool warm`, server, size, () =>
    iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
  );
  console.log(`  server peak RSS ${stats.maxRssMb.toFixed(0)} MB`);
  iot.destroy();
  await server.stop();
}
await startToReady();
