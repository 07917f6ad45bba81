/**
 * Data-plane connect benchmark (prints figures; not a test).
 *
 *   node --import tsx bench/mqtt-connect.ts [--seconds 5] [--concurrency 16] [--idle 10000]
 *
 * 1. Connects per second to the emulator's MQTT gateway (mutual TLS, no session resumption,
 *    TLS + CONNECT + CONNACK, then close), next to the raw mutual-TLS handshake rate between
 *    two plain Node processes measured in the same run with the same certificates and the
 *    same client; prints the ratio.
 * 2. Idle memory: the gateway process's RSS growth for `--idle` concurrent connections.
 *
 * Each server runs in its own child process; the client runs here. Private keys travel over
 * the IPC channel only.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { measureRawMtlsRate, openRawMtls, type RawMtlsServer, startRawMtlsServer } from './raw-mtls.js';

interface DeviceCredentials {
  certificatePem: string;
  privateKeyPem: string;
}

type ChildMessage =
  | {
      kind: 'ready';
      port: number;
      caPem: string;
      devices: DeviceCredentials[];
      server?: { chainPem: string; privateKeyPem: string };
    }
  | { kind: 'rss'; rss: number; connections: number; cpuMicros: number };

const SELF = fileURLToPath(import.meta.url);

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
}

/** An MQTT 3.1.1 CONNECT with clean session, keepalive 1200 s. */
function connectPacket(clientId: string): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x04, 0xb0]);
  const payload = Buffer.concat([Buffer.from([id.length >> 8, id.length & 0xff]), id]);
  const remaining = variable.length + payload.length;
  return Buffer.concat([Buffer.from([0x10, remaining]), variable, payload]);
}

// ---- child: the emulator gateway ------------------------------------------------------

async function serveGateway(stateDir: string, deviceCount: number): Promise<void> {
  await import('reflect-metadata');
  const { EmulatorPki } = await import('../src/pki/index.js');
  const { IotRegistry } = await import('../src/emulator/registry/index.js');
  const { DataPlane, certificateIssuerFor, dataPlaneRegistryFor } = await import(
    '../src/emulator/data-plane/index.js'
  );
  const pki = await EmulatorPki.open({ stateDir, keyPoolSize: 0, deviceKeyAlgorithm: 'ec-p256' });
  const registry = new IotRegistry({ region: 'us-east-1', accountId: '123456789012' });
  registry.createPolicy(
    'bench',
    JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }),
  );
  const devices: DeviceCredentials[] = [];
  for (let i = 0; i < deviceCount; i += 1) {
    const issued = await pki.createKeysAndCertificate();
    const record = registry.addCertificate({
      certificate: issued.certificate,
      status: 'ACTIVE',
      origin: 'keys-and-certificate',
    });
    registry.attachPolicy('bench', record.certificateArn);
    devices.push({ certificatePem: issued.certificate.pem, privateKeyPem: issued.keyPair.privateKeyPem });
  }
  const server = await pki.issueServerCertificate(['127.0.0.1', 'localhost']);
  const plane = await DataPlane.start({
    registry: dataPlaneRegistryFor(registry, pki),
    issuer: certificateIssuerFor(pki),
    serverCertificateChainPem: server.chainPem,
    serverPrivateKeyPem: server.privateKeyPem,
  });
  process.on('message', (message: { kind?: string }) => {
    if (message.kind === 'stop') process.exit(0);
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({
      kind: 'rss',
      rss: process.memoryUsage().rss,
      connections: plane.broker.connectedClients,
      cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
    });
  });
  process.send?.({ kind: 'ready', port: plane.port, caPem: pki.bundlePem, devices, server });
}

// ---- client -----------------------------------------------------------------------------

let connectionCounter = 0;

/** TLS (fresh context, no resumption) + CONNECT; resolves on CONNACK accepted. */
function openConnection(port: number, caPem: string, device: DeviceCredentials): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    connectionCounter += 1;
    const clientId = `bench-${process.pid}-${connectionCounter}`;
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: caPem,
      cert: device.certificatePem,
      key: device.privateKeyPem,
      rejectUnauthorized: true,
    });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    socket.once('close', () => reject(new Error('closed before CONNACK')));
    socket.once('secureConnect', () => socket.write(connectPacket(clientId)));
    socket.once('data', (data: Buffer) => {
      if (data[0] === 0x20 && data[3] === 0x00) {
        socket.removeAllListeners('close');
        resolve(socket);
      } else fail(new Error(`CONNACK refused: ${data.toString('hex')}`));
    });
  });
}

async function measureRate(
  port: number,
  caPem: string,
  devices: DeviceCredentials[],
  seconds: number,
  concurrency: number,
) {
  let done = 0;
  let failed = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const worker = async (index: number) => {
    let n = index;
    while (performance.now() < deadline) {
      const device = devices[n % devices.length] as DeviceCredentials;
      n += concurrency;
      try {
        const socket = await openConnection(port, caPem, device);
        socket.destroy();
        done += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: done / elapsed, done, failed };
}

function startChild(role: string, extra: string[]): ChildProcess {
  return fork(SELF, ['--role', role, ...extra], {
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      ...(process.env.MQTT_BENCH_PROFILE
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.MQTT_BENCH_PROFILE]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function ready(child: ChildProcess): Promise<Extract<ChildMessage, { kind: 'ready' }>> {
  const [message] = (await once(child, 'message')) as [ChildMessage];
  if (message.kind !== 'ready') throw new Error('child did not start');
  return message;
}

async function rssOf(child: ChildProcess): Promise<{ rss: number; connections: number; cpuMicros: number }> {
  child.send({ kind: 'rss' });
  const [message] = (await once(child, 'message')) as [ChildMessage];
  if (message.kind !== 'rss') throw new Error('unexpected answer');
  return message;
}

/** Opens `count` connections with `open` and holds them; reports the server process's RSS growth. */
async function measureIdle(
  stats: () => Promise<{ rss: number }>,
  open: (device: DeviceCredentials) => Promise<TLSSocket>,
  devices: DeviceCredentials[],
  count: number,
  concurrency: number,
): Promise<string> {
  const before = await stats();
  const sockets: TLSSocket[] = [];
  const startedAt = performance.now();
  let next = 0;
  let failures = 0;
  const opener = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      try {
        sockets.push(await open(devices[index % devices.length] as DeviceCredentials));
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => opener()));
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const after = await stats();
  const grown = after.rss - before.rss;
  for (const socket of sockets) socket.destroy();
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  return `${sockets.length} connections held (${failures} failed) in ${((performance.now() - startedAt) / 1000).toFixed(1)}s; RSS ${mib(before.rss)} MiB -> ${mib(after.rss)} MiB (+${mib(grown)} MiB, ${(grown / Math.max(1, sockets.length) / 1024).toFixed(1)} KiB per connection)`;
}

async function main(): Promise<void> {
  const seconds = argument('seconds', 5);
  const concurrency = argument('concurrency', 16);
  const idle = argument('idle', 10_000);
  const stateDir = await mkdtemp(join(tmpdir(), 'provbench-mqtt-bench-'));
  const gateway = startChild('gateway', ['--state-dir', stateDir]);
  let raw: RawMtlsServer | undefined;
  try {
    const gatewayReady = await ready(gateway);
    const { caPem, devices } = gatewayReady;
    if (!gatewayReady.server) throw new Error('the gateway sent no server certificate');
    // The plain TLS server: the gateway's certificate, verifying clients against the same CA.
    raw = await startRawMtlsServer({ ...gatewayReady.server, clientCaPem: caPem });
    const rawServer = raw;
    const clients = devices.map((device) => ({
      certificatePem: device.certificatePem,
      privateKeyPem: device.privateKeyPem,
    }));
    console.log(
      `mqtt-connect: ${seconds}s per phase, concurrency ${concurrency}, ${devices.length} EC P-256 device certificates, server EC P-256`,
    );

    const rawRate = () => measureRawMtlsRate({ server: rawServer, caPem, clients, seconds, concurrency });
    const raw1 = await rawRate();
    const gatewayCpu0 = (await rssOf(gateway)).cpuMicros;
    const mqtt = await measureRate(gatewayReady.port, caPem, devices, seconds, concurrency);
    const gatewayCpu = ((await rssOf(gateway)).cpuMicros - gatewayCpu0) / 1000 / Math.max(1, mqtt.done);
    const raw2 = await rawRate();
    const rawCpu =
      (raw1.serverCpuMs * raw1.handshakes + raw2.serverCpuMs * raw2.handshakes) /
      Math.max(1, raw1.handshakes + raw2.handshakes);
    const rawPerSecond = (raw1.perSecond + raw2.perSecond) / 2;
    console.log(
      `  raw mTLS handshakes/s (two plain Node processes, bench/raw-mtls.ts): ${raw1.perSecond.toFixed(0)} then ${raw2.perSecond.toFixed(0)} (mean ${rawPerSecond.toFixed(0)}; ${raw1.failed + raw2.failed} failed)`,
    );
    console.log(
      `  gateway connects/s (mTLS + CONNECT/CONNACK, policy check): ${mqtt.perSecond.toFixed(0)} (${mqtt.failed} failed)`,
    );
    console.log(`  ratio gateway/raw: ${((mqtt.perSecond / rawPerSecond) * 100).toFixed(1)}% (aim >= 70%)`);
    console.log(
      `  server CPU per connection: raw TLS ${rawCpu.toFixed(2)} ms, gateway ${gatewayCpu.toFixed(2)} ms (raw/gateway ${((rawCpu / gatewayCpu) * 100).toFixed(1)}%)`,
    );

    if (idle > 0) {
      const gatewayIdle = await measureIdle(
        () => rssOf(gateway),
        (device) => openConnection(gatewayReady.port, caPem, device),
        devices,
        idle,
        concurrency,
      );
      console.log(`  idle gateway: ${gatewayIdle}`);
      const rawIdle = await measureIdle(
        () => rawServer.stats(),
        (device) => openRawMtls(rawServer.port, caPem, device),
        clients,
        idle,
        concurrency,
      );
      console.log(`  idle raw TLS server: ${rawIdle}`);
    }
  } finally {
    await raw?.close();
    if (gateway.connected) gateway.send({ kind: 'stop' });
    const exited = once(gateway, 'exit');
    const timer = setTimeout(() => gateway.kill(), 5_000);
    await exited;
    clearTimeout(timer);
    await rm(stateDir, { recursive: true, force: true });
  }
}

const roleIndex = process.argv.indexOf('--role');
const role = roleIndex >= 0 ? process.argv[roleIndex + 1] : undefined;
if (role === 'gateway') {
  const dirIndex = process.argv.indexOf('--state-dir');
  await serveGateway(process.argv[dirIndex + 1] ?? '', 64);
} else {
  await main();
}
