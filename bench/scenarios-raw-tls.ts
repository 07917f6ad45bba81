/**
 * The raw mutual-TLS handshake rate of two plain Node processes on this machine: the ceiling a
 * provisioning pattern is measured against. The server runs in a child process; the client
 * opens connections with a different certificate and a fresh TLS context each, no session
 * resumption, and counts a handshake once the server has accepted the client certificate
 * (the server writes one byte after verifying it).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { connect } from 'node:tls';
import { DeviceCa } from '../scenarios/lib/device-ca.js';
import { generateDeviceKeyPair } from '../scenarios/lib/device-keys.js';

const SERVER_SCRIPT = `
const tls = require('node:tls');
const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const server = tls.createServer({ key: input.key, cert: input.cert, ca: input.ca, requestCert: true, rejectUnauthorized: true }, (socket) => {
  socket.on('error', () => {});
  socket.end('k');
});
server.on('tlsClientError', () => {});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
`;

export interface RawTlsRate {
  handshakes: number;
  seconds: number;
  perSecond: number;
  concurrency: number;
}

export async function measureRawMtlsRate(options: {
  seconds: number;
  concurrency: number;
}): Promise<RawTlsRate> {
  const ca = await DeviceCa.create({ commonName: 'raw tls bench root' });
  const serverKey = await generateDeviceKeyPair('ec');
  const serverCert = await ca.sign(serverKey.keys.publicKey, 'CN=127.0.0.1', {
    altNames: [{ type: 'ip', value: '127.0.0.1' }],
  });
  const clients = await Promise.all(
    Array.from({ length: 64 }, async (_, i) => ca.issueDevice(`CN=raw-client-${i}`, 'ec')),
  );
  const child = spawn(process.execPath, ['-e', SERVER_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify({ key: serverKey.privateKeyPem, cert: serverCert, ca: ca.certificatePem }));
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const { port } = JSON.parse(line.toString('utf8')) as { port: number };
  try {
    let handshakes = 0;
    let next = 0;
    const deadline = performance.now() + options.seconds * 1000;
    const started = performance.now();
    const one = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const client = clients[next++ % clients.length];
        if (!client) return reject(new Error('no client certificate'));
        const socket = connect({
          host: '127.0.0.1',
          port,
          key: client.key.privateKeyPem,
          cert: client.certificatePem,
          ca: ca.certificatePem,
        });
        socket.once('data', () => {
          handshakes++;
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < deadline) await one();
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { handshakes, seconds, perSecond: handshakes / seconds, concurrency: options.concurrency };
  } finally {
    child.kill();
  }
}
