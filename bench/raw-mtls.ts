/**
 * The raw mutual-TLS handshake rate of two plain Node processes: the ceiling the scenario and
 * MQTT benchmarks measure provbench against. One definition, used by both:
 *
 * - the server is a plain `tls.createServer` in a child process (P-256 certificate,
 *   `requestCert` and `rejectUnauthorized` against the devices' CA); it writes one byte once a
 *   connection's handshake is complete, i.e. once it has verified the client certificate, and
 *   does nothing else (no `getPeerX509Certificate()`, which leaves about 10 KB of native memory
 *   behind per connection on Node 20);
 * - the client, in this process, opens `concurrency` connections at a time, each with a fresh
 *   TLS context (`tls.connect` with key, certificate and CA as PEM, no session resumption) and
 *   the next of the given client certificates; a handshake counts when the server's byte
 *   arrives. Keys and certificates are made before the clock starts.
 *
 * Both processes' CPU per handshake is measured too: the rate is the slower side's.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { connect, type TLSSocket } from 'node:tls';
import { DeviceCa } from '../scenarios/lib/device-ca.js';
import { generateDeviceKeyPair } from '../scenarios/lib/device-keys.js';

export interface MtlsClient {
  certificatePem: string;
  privateKeyPem: string;
}

/** What the raw server needs: its certificate chain and key, and the CA of the clients. */
export interface RawMtlsServerOptions {
  chainPem: string;
  privateKeyPem: string;
  clientCaPem: string;
}

export interface RawMtlsServer {
  port: number;
  /** The server process's CPU so far (user + system) and its RSS after a forced GC. */
  stats(): Promise<{ cpuMicros: number; rss: number }>;
  close(): Promise<void>;
}

const SERVER_SCRIPT = `
const tls = require('node:tls');
process.once('message', (options) => {
  const server = tls.createServer(
    { key: options.key, cert: options.cert, ca: options.ca, requestCert: true, rejectUnauthorized: true },
    (socket) => {
      socket.on('error', () => {});
      socket.write('k');
    },
  );
  server.on('tlsClientError', () => {});
  process.on('message', (message) => {
    if (message !== 'stats') return;
    globalThis.gc();
    const cpu = process.cpuUsage();
    process.send({ cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage().rss });
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
});
`;

/** Starts the plain TLS server in a child process; its key travels over the IPC channel only. */
export async function startRawMtlsServer(options: RawMtlsServerOptions): Promise<RawMtlsServer> {
  const child = spawn(process.execPath, ['--expose-gc', '-e', SERVER_SCRIPT], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.send({ key: options.privateKeyPem, cert: options.chainPem, ca: options.clientCaPem });
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  return {
    port,
    async stats() {
      child.send('stats');
      const [stats] = (await once(child, 'message')) as [{ cpuMicros: number; rss: number }];
      return stats;
    },
    async close() {
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
}

/** One mutual-TLS connection with a fresh context; resolves once the server accepted it. */
export function openRawMtls(port: number, caPem: string, client: MtlsClient): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      key: client.privateKeyPem,
      cert: client.certificatePem,
      ca: caPem,
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before the server accepted the certificate')));
    socket.once('data', () => {
      socket.removeAllListeners('close');
      resolve(socket);
    });
  });
}

export interface RawMtlsRate {
  handshakes: number;
  failed: number;
  seconds: number;
  perSecond: number;
  concurrency: number;
  /** CPU ms per handshake of the client process and of the server process. */
  clientCpuMs: number;
  serverCpuMs: number;
}

/** Handshakes against `server` for `seconds`, `concurrency` at a time, cycling over `clients`. */
export async function measureRawMtlsRate(options: {
  server: RawMtlsServer;
  caPem: string;
  clients: MtlsClient[];
  seconds: number;
  concurrency: number;
}): Promise<RawMtlsRate> {
  const { server, caPem, clients, concurrency } = options;
  let handshakes = 0;
  let failed = 0;
  let next = 0;
  const serverBefore = await server.stats();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const client = clients[next++ % clients.length] as MtlsClient;
        try {
          (await openRawMtls(server.port, caPem, client)).destroy();
          handshakes++;
        } catch {
          failed++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(clientBefore);
  const serverAfter = await server.stats();
  const per = Math.max(1, handshakes);
  return {
    handshakes,
    failed,
    seconds,
    perSecond: handshakes / seconds,
    concurrency,
    clientCpuMs: (clientCpu.user + clientCpu.system) / 1000 / per,
    serverCpuMs: (serverAfter.cpuMicros - serverBefore.cpuMicros) / 1000 / per,
  };
}

/** A P-256 CA, a server certificate for 127.0.0.1 and `count` client certificates it signed. */
export async function rawMtlsCredentials(count: number): Promise<{
  caPem: string;
  server: RawMtlsServerOptions;
  clients: MtlsClient[];
}> {
  const ca = await DeviceCa.create({ commonName: 'raw tls bench root', keyType: 'ec' });
  const serverKey = await generateDeviceKeyPair('ec');
  const serverCert = await ca.sign(serverKey.keys.publicKey, 'CN=127.0.0.1', {
    altNames: [{ type: 'ip', value: '127.0.0.1' }],
  });
  const clients = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const issued = await ca.issueDevice(`CN=raw-client-${i}`, 'ec');
      return { certificatePem: issued.certificatePem, privateKeyPem: issued.key.privateKeyPem };
    }),
  );
  return {
    caPem: ca.certificatePem,
    server: { chainPem: serverCert, privateKeyPem: serverKey.privateKeyPem, clientCaPem: ca.certificatePem },
    clients,
  };
}

/** The whole measurement with its own CA and 64 client certificates (made before the clock). */
export async function rawMtlsBaseline(options: {
  seconds: number;
  concurrency: number;
}): Promise<RawMtlsRate> {
  const credentials = await rawMtlsCredentials(64);
  const server = await startRawMtlsServer(credentials.server);
  try {
    return await measureRawMtlsRate({
      server,
      caPem: credentials.caPem,
      clients: credentials.clients,
      ...options,
    });
  } finally {
    await server.close();
  }
}
