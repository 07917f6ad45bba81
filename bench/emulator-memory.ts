/**
 * The embedded emulator's memory per pre-issued device (prints figures; not a test).
 *
 *   npx tsx bench/emulator-memory.ts [--devices 20000] [--no-connect] [--concurrency 32]
 *                                    [--snapshot [--keep-snapshots]] [--no-cleanup] [--fleet-sims <n>]
 *
 * The emulator (quotas none, EC P-256 device keys) runs in a child process started with
 * --expose-gc. This process does what the pre-issued scenario does for every device:
 * CreateKeysAndCertificate, CreateThing, AttachPolicy (one shared policy),
 * AttachThingPrincipal, then one MQTT/mTLS connect as the thing, a QoS 1 publish and a
 * disconnect. The child's RSS, heapUsed and external are read after a forced GC: at start,
 * once the devices exist, once each has connected, and after every device is deleted again.
 * `--snapshot` also takes a heap snapshot at start and after connecting and prints the
 * per-device growth by constructor (use it with a small fleet, e.g. --devices 5000).
 * `--fleet-sims n` starts the emulator with a generated fleet.json of n SIMs for its Krypton
 * service, as `provbench run` does with n = --devices; their cost shows in the `start` line.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeletePolicyCommand,
  DeleteThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  type IoTClient,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { devicePolicyDocument } from '../scenarios/lib/device-policy.js';
import { DeviceMqttConnection } from '../scenarios/lib/mqtt-device.js';
import { writeGeneratedFleetFile } from '../src/sim/generate.js';
import { createIoTClient, LOCAL_CREDENTIALS } from '../src/targets/iot-client.js';

interface Endpoints {
  controlPlaneUrl: string;
  region: string;
  accountId: string;
  mqttHost: string;
  mqttPort: number;
  rootCaPem: string;
}

interface Usage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

type ParentMessage = { kind: 'measure' } | { kind: 'snapshot' } | { kind: 'stop' };
type ChildMessage =
  | ({ kind: 'ready' } & Endpoints)
  | ({ kind: 'usage' } & Usage)
  | { kind: 'snapshot'; file: string };

const SELF = fileURLToPath(import.meta.url);
const MIB = 2 ** 20;

// ---- child: the emulator --------------------------------------------------------------

function forceGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the emulator child needs --expose-gc');
  for (let i = 0; i < 3; i += 1) gc();
}

async function serveEmulator(fleetFile: string | undefined): Promise<void> {
  await import('reflect-metadata');
  const { startEmulator } = await import('../src/emulator/index.js');
  const emulator = await startEmulator({
    quotas: 'none',
    deviceKeyAlgorithm: 'ec-p256',
    fleetFile,
  });
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', (message: ParentMessage) => {
    if (message.kind === 'stop') {
      void emulator.close().then(() => process.exit(0));
      return;
    }
    forceGc();
    if (message.kind === 'snapshot') {
      send({ kind: 'snapshot', file: writeHeapSnapshot() });
      return;
    }
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    send({ kind: 'usage', rss, heapTotal, heapUsed, external, arrayBuffers });
  });
  send({
    kind: 'ready',
    controlPlaneUrl: emulator.controlPlaneUrl,
    region: emulator.region,
    accountId: emulator.accountId,
    mqttHost: emulator.mqttHost ?? '127.0.0.1',
    mqttPort: emulator.mqttPort ?? 0,
    rootCaPem: emulator.pki.bundlePem,
  });
}

// ---- parent: drives the emulator like the pre-issued scenario ----------------------------

interface Device {
  thingName: string;
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  privateKeyPem: string;
}

async function request<M extends ChildMessage['kind']>(
  child: ChildProcess,
  message: ParentMessage,
  reply: M,
): Promise<Extract<ChildMessage, { kind: M }>> {
  const answer = new Promise<Extract<ChildMessage, { kind: M }>>((resolve) => {
    const onMessage = (received: ChildMessage) => {
      if (received.kind !== reply) return;
      child.off('message', onMessage);
      resolve(received as Extract<ChildMessage, { kind: M }>);
    };
    child.on('message', onMessage);
  });
  child.send(message);
  return answer;
}

/** Runs `work` for 0..count-1 with at most `concurrency` in flight; prints progress. */
async function forEach(
  label: string,
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  let done = 0;
  const runner = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await work(index);
      done += 1;
      if (done % 5000 === 0) process.stderr.write(`  ${label}: ${done}/${count}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, runner));
  return (performance.now() - started) / 1000;
}

async function createDevice(iot: IoTClient, policyName: string, thingName: string): Promise<Device> {
  const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const { certificateId, certificateArn, certificatePem } = created;
  const privateKeyPem = created.keyPair?.PrivateKey;
  if (!certificateId || !certificateArn || !certificatePem || !privateKeyPem) {
    throw new Error('CreateKeysAndCertificate returned no certificate or key');
  }
  await iot.send(new CreateThingCommand({ thingName }));
  await iot.send(new AttachPolicyCommand({ policyName, target: certificateArn }));
  await iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }));
  return { thingName, certificateId, certificateArn, certificatePem, privateKeyPem };
}

async function connectOnce(endpoints: Endpoints, device: Device): Promise<void> {
  const connection = await DeviceMqttConnection.open({
    host: endpoints.mqttHost,
    port: endpoints.mqttPort,
    clientId: device.thingName,
    certificatePem: device.certificatePem,
    privateKeyPem: device.privateKeyPem,
    caPem: endpoints.rootCaPem,
    connectTimeoutMs: 30_000,
    operationTimeoutMs: 30_000,
  });
  try {
    await connection.publishAcked(`provbench/things/${device.thingName}/boot`, '{"boot":true}');
  } finally {
    await connection.end();
  }
}

async function deleteDevice(iot: IoTClient, policyName: string, device: Device): Promise<void> {
  const { thingName, certificateId, certificateArn } = device;
  await iot.send(new DetachThingPrincipalCommand({ thingName, principal: certificateArn }));
  await iot.send(new DetachPolicyCommand({ policyName, target: certificateArn }));
  await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }));
  await iot.send(new DeleteCertificateCommand({ certificateId }));
  await iot.send(new DeleteThingCommand({ thingName }));
}

// ---- heap snapshot summary ------------------------------------------------------------

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes and count of live heap objects by `type:constructor` (strings and code grouped by type). */
async function heapByConstructor(
  file: string,
  keep: boolean,
): Promise<Map<string, { bytes: number; count: number }>> {
  const heap = JSON.parse(await readFile(file, 'utf8')) as HeapSnapshotFile;
  if (keep) console.log(`heap snapshot kept: ${file}`);
  else await rm(file, { force: true });
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt] as number] ?? '?';
    const name =
      type === 'object' || type === 'closure' || type === 'native'
        ? `${type}:${heap.strings[heap.nodes[i + nameAt] as number]}`
        : type;
    const group = groups.get(name) ?? { bytes: 0, count: 0 };
    group.bytes += heap.nodes[i + sizeAt] as number;
    group.count += 1;
    groups.set(name, group);
  }
  return groups;
}

function printHeapGrowth(
  before: Map<string, { bytes: number; count: number }>,
  after: Map<string, { bytes: number; count: number }>,
  devices: number,
): void {
  const rows = [...after].map(([name, group]) => {
    const base = before.get(name) ?? { bytes: 0, count: 0 };
    return { name, bytes: (group.bytes - base.bytes) / devices, count: (group.count - base.count) / devices };
  });
  rows.sort((a, b) => b.bytes - a.bytes);
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  console.log(`heap growth per device by constructor (self sizes; total ${total.toFixed(0)} B):`);
  console.log('  (with --snapshot the RSS figures above include what writing the snapshots took)');
  for (const row of rows.slice(0, 25)) {
    console.log(
      `  ${row.bytes.toFixed(0).padStart(7)} B  ${row.count.toFixed(2).padStart(6)} objects  ${row.name}`,
    );
  }
}

// ---- main -----------------------------------------------------------------------------

function formatUsage(label: string, usage: Usage, base: Usage, devices: number): string {
  const per = (now: number, then: number) => `${((now - then) / devices).toFixed(0)} B/device`;
  return [
    `${label.padEnd(22)} rss ${(usage.rss / MIB).toFixed(0).padStart(5)} MiB (${per(usage.rss, base.rss)})`,
    `heapUsed ${(usage.heapUsed / MIB).toFixed(0).padStart(5)} MiB (${per(usage.heapUsed, base.heapUsed)})`,
    `heapTotal ${(usage.heapTotal / MIB).toFixed(0).padStart(5)} MiB`,
    `external ${(usage.external / MIB).toFixed(0).padStart(4)} MiB (${per(usage.external, base.external)})`,
  ].join('  ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '20000' },
      concurrency: { type: 'string', default: '32' },
      connect: { type: 'boolean', default: true },
      'no-connect': { type: 'boolean', default: false },
      cleanup: { type: 'boolean', default: true },
      'no-cleanup': { type: 'boolean', default: false },
      snapshot: { type: 'boolean', default: false },
      'fleet-sims': { type: 'string', default: '0' },
      'keep-snapshots': { type: 'boolean', default: false },
    },
  });
  const devices = Number(values.devices);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(devices) || devices < 1) throw new Error('--devices must be a positive integer');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error('--concurrency must be a positive integer');
  const connect = values.connect && !values['no-connect'];
  const cleanup = values.cleanup && !values['no-cleanup'];
  const keep = values['keep-snapshots'];

  const fleetSims = Number(values['fleet-sims']);
  const workDir = await mkdtemp(join(tmpdir(), 'provbench-emulator-memory-'));
  const fleetFile = join(workDir, 'fleet.json');
  if (fleetSims > 0) await writeGeneratedFleetFile(fleetFile, { devices: fleetSims });
  const child = fork(SELF, fleetSims > 0 ? ['--child', fleetFile] : ['--child'], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [ChildMessage];
  if (ready.kind !== 'ready') throw new Error('the emulator child did not report ready');
  const endpoints: Endpoints = ready;
  const iot = createIoTClient({
    region: endpoints.region,
    endpoint: endpoints.controlPlaneUrl,
    credentials: LOCAL_CREDENTIALS,
    requestTimeoutMs: 60_000,
  });
  try {
    const policyName = 'pb-bench-emulator-memory-device';
    const policyDocument = devicePolicyDocument({
      target: 'embedded',
      region: endpoints.region,
      accountId: endpoints.accountId,
      controlPlaneUrl: endpoints.controlPlaneUrl,
      mqttHost: endpoints.mqttHost,
      mqttPort: endpoints.mqttPort,
      rootCaPem: endpoints.rootCaPem,
      kryptonUrl: null,
    });
    await iot.send(new CreatePolicyCommand({ policyName, policyDocument }));
    const base = await request(child, { kind: 'measure' }, 'usage');
    const heapBefore = values.snapshot
      ? await heapByConstructor((await request(child, { kind: 'snapshot' }, 'snapshot')).file, keep)
      : undefined;
    console.log(
      `emulator child, ${devices} pre-issued devices (EC P-256), concurrency ${concurrency}, ${fleetSims} Krypton SIMs, node ${process.version}`,
    );
    console.log(formatUsage('start', base, base, devices));

    const runTag = `bench-${Date.now().toString(36)}-pre-issued`;
    const fleet: Device[] = new Array(devices);
    const createSeconds = await forEach('create', devices, concurrency, async (index) => {
      fleet[index] = await createDevice(iot, policyName, `${runTag}-${String(index).padStart(6, '0')}`);
    });
    const created = await request(child, { kind: 'measure' }, 'usage');
    console.log(`${formatUsage('created', created, base, devices)}  (${createSeconds.toFixed(0)} s)`);

    if (connect) {
      const connectSeconds = await forEach('connect', devices, concurrency, (index) =>
        connectOnce(endpoints, fleet[index] as Device),
      );
      // Let the last sockets' close events reach the broker.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const connected = await request(child, { kind: 'measure' }, 'usage');
      console.log(
        `${formatUsage('connected once', connected, base, devices)}  (${connectSeconds.toFixed(0)} s)`,
      );
      console.log(
        `  extrapolated to 100,000 devices: ${((base.rss + ((connected.rss - base.rss) / devices) * 100_000) / MIB).toFixed(0)} MiB RSS`,
      );
    }
    if (heapBefore) {
      const heapAfter = await heapByConstructor(
        (await request(child, { kind: 'snapshot' }, 'snapshot')).file,
        keep,
      );
      printHeapGrowth(heapBefore, heapAfter, devices);
    }
    if (cleanup) {
      const cleanupSeconds = await forEach('delete', devices, concurrency, (index) =>
        deleteDevice(iot, policyName, fleet[index] as Device),
      );
      await iot.send(new DeletePolicyCommand({ policyName }));
      const deleted = await request(child, { kind: 'measure' }, 'usage');
      console.log(`${formatUsage('deleted', deleted, base, devices)}  (${cleanupSeconds.toFixed(0)} s)`);
    }
  } finally {
    iot.destroy();
    child.send({ kind: 'stop' } satisfies ParentMessage);
    await once(child, 'exit');
    await rm(workDir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) await serveEmulator(process.argv[childAt + 1]);
else await main();
