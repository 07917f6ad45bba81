import { once } from 'node:events';
import { type AddressInfo, createServer, connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DUE_SLACK_MS, Lane, type LaneShape, ShapedSocket } from '../../src/network/shaped-socket.js';

const instant = (): LaneShape => ({
  oneWayMs: () => 5,
  kbps: null,
  packetLoss: 0,
  rtoMs: 1_000,
  uniform: () => 0.5,
});

describe('shaped socket, as TCP behaves under TLS', () => {
  it('a write after the peer closed fails with EPIPE (a broker refusing a device), not a stream error', async () => {
    const server = createServer((socket) => socket.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const tcp = netConnect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        allowHalfOpen: true,
      });
      const shaped = new ShapedSocket(tcp, { up: instant(), down: instant(), firstByteAt: 0 });
      shaped.resume();
      // The peer's FIN ends our side too (as a TCP socket under TLS does) before TLS writes again.
      await once(shaped, 'end');
      if (!shaped.writableEnded) shaped.end();
      shaped.on('error', () => undefined);
      const error = await new Promise<NodeJS.ErrnoException | null | undefined>((resolve) =>
        shaped.write(Buffer.from('CONNECT'), resolve),
      );
      expect(error?.message).toBe('This socket has been ended by the other party');
      expect(error?.code).toBe('EPIPE');
    } finally {
      server.close();
    }
  });

  it('a refused connection surfaces as the TCP error (ECONNREFUSED), after the link delay', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const tcp = netConnect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const shaped = new ShapedSocket(tcp, { up: instant(), down: instant(), firstByteAt: 0 });
    const [error] = (await once(shaped, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });
});

describe('field link: a refused connection', () => {
  it('reaches the device TLS as ECONNREFUSED (network_unreachable), not as a reset before the handshake', async () => {
    const { DeviceLink } = await import('../../src/network/field-link.js');
    const { fixedProfile } = await import('./support.js');
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const link = new DeviceLink(fixedProfile({ rttMs: { median: 40, p95: 40 } }), 1, 0);
    const socket = link.connectTls({ host: '127.0.0.1', port, servername: 'localhost' });
    const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });
});

describe('lane: one direction of the link', () => {
  const shape = (kbps: number | null, oneWayMs = 0): LaneShape => ({
    oneWayMs: () => oneWayMs,
    kbps,
    packetLoss: 0,
    rtoMs: 1_000,
    uniform: () => 0.5,
  });

  it('delivers a chunk due within the timer slack at once, without waiting for a timer', () => {
    const delivered: Array<Buffer | null> = [];
    // 512 bytes at 10 Gbps take 0.4 us: less than the slack.
    const lane = new Lane(shape(10_000_000), (chunk) => delivered.push(chunk), performance.now());
    lane.send(Buffer.alloc(512));
    lane.send(null);
    expect(delivered.map((chunk) => chunk?.length ?? null)).toEqual([512, null]);
    expect(lane.idle).toBe(true);
  });

  it('holds a chunk due later than the slack, and delivers chunks in order no earlier than their time', async () => {
    const delivered: Array<{ bytes: number; at: number }> = [];
    const start = performance.now();
    // 1,000 bytes at 800 kbps: 10 ms each, paced one after the other.
    const lane = new Lane(
      shape(800),
      (chunk) => delivered.push({ bytes: chunk?.length ?? 0, at: performance.now() }),
      start,
    );
    lane.send(Buffer.alloc(1_000, 1));
    lane.send(Buffer.alloc(1_000, 2));
    expect(delivered).toEqual([]);
    // Upper bound only generous: poll until both arrived (timers run late on a loaded machine).
    for (let waited = 0; delivered.length < 2 && waited < 5_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(delivered.map((d) => d.bytes)).toEqual([1_000, 1_000]);
    expect(delivered[0]?.at).toBeGreaterThanOrEqual(start + 10 - DUE_SLACK_MS);
    expect(delivered[1]?.at).toBeGreaterThanOrEqual(start + 20 - DUE_SLACK_MS);
  });
});
