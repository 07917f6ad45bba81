import { once } from 'node:events';
import {
  type AddressInfo,
  createServer as createNetServer,
  connect as netConnect,
  type Server,
} from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type Server as TlsServer } from 'node:tls';
import { DeviceCa } from '../../scenarios/lib/device-ca.js';
import { generateDeviceKeyPair } from '../../scenarios/lib/device-keys.js';
import type { NetworkProfile } from '../../src/network/profile.js';

/** A loopback TCP proxy that counts the bytes crossing it each way: an independent count. */
export interface CountingProxy {
  port: number;
  fromClient: number;
  toClient: number;
  /** Proxied connections closed on both sides so far. */
  closedCount: number;
  /** Resolves when `count` proxied connections have closed on both sides. */
  closed(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let closedCount = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const state = { fromClient: 0, toClient: 0 };
  const server: Server = createNetServer((client) => {
    const upstream = netConnect({ host: '127.0.0.1', port: targetPort });
    let sides = 0;
    const sideClosed = () => {
      if (++sides < 2) return;
      closedCount++;
      for (const waiter of waiters.filter((w) => w.count <= closedCount)) waiter.resolve();
    };
    client.on('data', (chunk: Buffer) => {
      state.fromClient += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      state.toClient += chunk.length;
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', sideClosed);
    upstream.on('close', sideClosed);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    get fromClient() {
      return state.fromClient;
    },
    get toClient() {
      return state.toClient;
    },
    get closedCount() {
      return closedCount;
    },
    closed(count) {
      if (closedCount >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      server.close();
    },
  };
}

export interface TestTlsServer {
  port: number;
  caPem: string;
  server: TlsServer;
  close(): Promise<void>;
}

/** A TLS server on 127.0.0.1 (certificate for 127.0.0.1/localhost) running `onSocket` per connection. */
export async function startTlsServer(onSocket: (socket: TLSSocket) => void): Promise<TestTlsServer> {
  const ca = await DeviceCa.create({ commonName: 'link test root' });
  const key = await generateDeviceKeyPair('ec');
  const certPem = await ca.sign(key.keys.publicKey, 'CN=localhost', {
    altNames: [
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: 'localhost' },
    ],
  });
  const server = createTlsServer({ key: key.privateKeyPem, cert: certPem }, onSocket);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    caPem: ca.certificatePem,
    server,
    async close() {
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A profile with a fixed round trip (no spread, no loss, no radio setup) unless told otherwise. */
export function fixedProfile(overrides: Partial<NetworkProfile> = {}): NetworkProfile {
  return {
    name: 'test-link',
    rttMs: { median: 100, p95: 100 },
    uplinkKbps: null,
    downlinkKbps: null,
    packetLoss: 0,
    radioSetupMs: 0,
    ...overrides,
  };
}
