import { once } from 'node:events';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceLink, wireSocketOptions } from '../../src/network/field-link.js';
import type { NetworkProfile } from '../../src/network/profile.js';
import {
  type CountingProxy,
  fixedProfile,
  startCountingProxy,
  startTlsServer,
  type TestTlsServer,
} from './support.js';

/** Server side: reads `expect` bytes, answers `reply` bytes, then ends. */
let server: TestTlsServer;
let proxy: CountingProxy;
const REQUEST_BYTES = 3_000;
const REPLY_BYTES = 50_000;

beforeAll(async () => {
  server = await startTlsServer((socket) => {
    let got = 0;
    socket.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got >= REQUEST_BYTES) socket.end(Buffer.alloc(REPLY_BYTES, 7));
    });
    socket.on('error', () => undefined);
  });
  proxy = await startCountingProxy(server.port);
});

afterAll(async () => {
  await proxy.close();
  await server.close();
});

/** One exchange over `link`: connect, send the request, read the whole reply, close. */
async function exchange(link: DeviceLink, options: { maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {}) {
  const started = performance.now();
  const socket: TLSSocket = link.connectTls({
    host: '127.0.0.1',
    port: proxy.port,
    ca: server.caPem,
    servername: 'localhost',
    ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
  });
  await once(socket, 'secureConnect');
  const handshakeMs = performance.now() - started;
  socket.write(Buffer.alloc(REQUEST_BYTES, 1));
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  await once(socket, 'end');
  const totalMs = performance.now() - started;
  socket.end();
  await once(socket, 'close');
  return { handshakeMs, totalMs, received };
}

describe('field link: lower bounds physics guarantees', () => {
  it('a TLS 1.3 handshake costs at least TCP + TLS round trips (2 RTT), a request/response one more', async () => {
    const rtt = 200;
    const link = new DeviceLink(fixedProfile({ rttMs: { median: rtt, p95: rtt } }), 1, 0);
    const { handshakeMs, totalMs, received } = await exchange(link);
    expect(received).toBe(REPLY_BYTES);
    // TCP SYN/SYN-ACK, then ClientHello -> server flight.
    expect(handshakeMs).toBeGreaterThanOrEqual(2 * rtt);
    // Client Finished + request up, reply down.
    expect(totalMs).toBeGreaterThanOrEqual(3 * rtt);
    expect(totalMs).toBeLessThan(3 * rtt + 10_000);
  });

  it('TLS 1.2 needs one round trip more than TLS 1.3', async () => {
    const rtt = 200;
    const link = new DeviceLink(fixedProfile({ rttMs: { median: rtt, p95: rtt } }), 1, 0);
    const { handshakeMs } = await exchange(link, { maxVersion: 'TLSv1.2' });
    expect(handshakeMs).toBeGreaterThanOrEqual(3 * rtt);
  });

  it('B bytes down take at least B / downlink bandwidth', async () => {
    const kbps = 800;
    const link = new DeviceLink(fixedProfile({ rttMs: { median: 0, p95: 0 }, downlinkKbps: kbps }), 1, 0);
    const { totalMs, received } = await exchange(link);
    expect(received).toBe(REPLY_BYTES);
    expect(totalMs).toBeGreaterThanOrEqual((REPLY_BYTES * 8) / kbps);
  });

  it('B bytes up take at least B / uplink bandwidth', async () => {
    const kbps = 100;
    const link = new DeviceLink(fixedProfile({ rttMs: { median: 0, p95: 0 }, uplinkKbps: kbps }), 1, 0);
    const { totalMs } = await exchange(link);
    expect(totalMs).toBeGreaterThanOrEqual((REQUEST_BYTES * 8) / kbps);
  });

  it('the radio wakes once per device: its setup delays the first connection only', async () => {
    const link = new DeviceLink(fixedProfile({ rttMs: { median: 0, p95: 0 }, radioSetupMs: 600 }), 1, 0);
    const first = await exchange(link);
    const second = await exchange(link);
    expect(first.handshakeMs).toBeGreaterThanOrEqual(600);
    expect(second.handshakeMs).toBeLessThan(600);
  });

  it('a lost packet costs one retransmission timeout', async () => {
    const link = new DeviceLink(
      fixedProfile({ rttMs: { median: 0, p95: 0 }, packetLoss: 0.5, radioSetupMs: 0 }),
      3,
      0,
    );
    // With half the packets lost, a 50 KB reply (35 segments) loses one for sure in practice.
    const { totalMs } = await exchange(link);
    expect(totalMs).toBeGreaterThanOrEqual(1_000);
  });
});

describe('field link: counts', () => {
  it.each([
    ['none', fixedProfile({ name: 'none', rttMs: { median: 0, p95: 0 } })],
    ['shaped', fixedProfile({ rttMs: { median: 40, p95: 120 }, downlinkKbps: 4_000 })],
  ] as Array<[string, NetworkProfile]>)(
    'bytes on the wire match a counting proxy exactly (%s)',
    async (_label, profile) => {
      const before = { fromClient: proxy.fromClient, toClient: proxy.toClient, closed: proxy.closedCount };
      const link = new DeviceLink(profile, 9, 4);
      link.traffic.enterPhase('exchange');
      await exchange(link);
      await exchange(link);
      link.traffic.exitPhase('exchange');
      await proxy.closed(before.closed + 2);
      const report = link.finish();
      const sent = proxy.fromClient - before.fromClient;
      const received = proxy.toClient - before.toClient;
      expect(report.device.bytesSent).toBe(sent);
      expect(report.device.bytesReceived).toBe(received);
      // Request and reply plus TLS records and certificates.
      expect(sent).toBeGreaterThan(2 * REQUEST_BYTES);
      expect(received).toBeGreaterThan(2 * REPLY_BYTES);
      expect(report.device.connections).toBe(2);
      expect(report.device.tlsHandshakes).toBe(2);
      expect(report.device.connectedMs).toBeGreaterThan(0);
      expect(report.phases.exchange?.bytesSent).toBe(sent);
    },
  );
});

describe('field link: seeded', () => {
  const spread = fixedProfile({ rttMs: { median: 150, p95: 600 }, packetLoss: 0.01 });
  const samples = (link: DeviceLink, connection: number) => {
    const shapes = link.shapesFor(connection);
    return [shapes.firstByteDelayMs, ...Array.from({ length: 20 }, () => shapes.down.oneWayMs())];
  };

  it('the same seed and device give the same delays; another device or seed, others', () => {
    const a = samples(new DeviceLink(spread, 42, 7), 1);
    expect(samples(new DeviceLink(spread, 42, 7), 1)).toEqual(a);
    expect(samples(new DeviceLink(spread, 42, 8), 1)).not.toEqual(a);
    expect(samples(new DeviceLink(spread, 43, 7), 1)).not.toEqual(a);
    expect(samples(new DeviceLink(spread, 42, 7), 2)).not.toEqual(a);
  });

  it('round-trip samples follow the profile: median near the median, p95 near the p95', () => {
    const shapes = new DeviceLink(spread, 1, 0).shapesFor(0);
    const rtts = Array.from({ length: 20_000 }, () => 2 * shapes.up.oneWayMs()).sort((x, y) => x - y);
    expect(rtts[10_000]).toBeGreaterThan(135);
    expect(rtts[10_000]).toBeLessThan(165);
    expect(rtts[19_000]).toBeGreaterThan(540);
    expect(rtts[19_000]).toBeLessThan(660);
  });
});

describe('the TCP socket under a link', () => {
  const target = { host: '127.0.0.1', port: 8883, localAddress: '127.0.0.2' };
  it('shaped: Nagle off (the lanes time each chunk) and half open until the uplink drains', () => {
    expect(wireSocketOptions(target, true)).toEqual({ ...target, noDelay: true, allowHalfOpen: true });
  });
  it('none: loopback as it is, with the operating system defaults', () => {
    expect(wireSocketOptions(target, false)).toEqual({ ...target, noDelay: false, allowHalfOpen: false });
  });
});

describe('link proxy (for load tools that open their own sockets)', () => {
  it('puts the field link under a client TLS connection it forwards', async () => {
    const rtt = 200;
    const { startLinkProxy } = await import('../../src/network/link-proxy.js');
    const { connect } = await import('node:tls');
    const linkProxy = await startLinkProxy(
      { host: '127.0.0.1', port: proxy.port },
      fixedProfile({ rttMs: { median: rtt, p95: rtt } }),
      1,
    );
    try {
      const started = performance.now();
      const socket = connect({
        host: '127.0.0.1',
        port: linkProxy.port,
        ca: server.caPem,
        servername: 'localhost',
      });
      await once(socket, 'secureConnect');
      expect(performance.now() - started).toBeGreaterThanOrEqual(2 * rtt);
      socket.destroy();
    } finally {
      await linkProxy.close();
    }
  });
});
