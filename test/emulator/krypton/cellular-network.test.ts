import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CellularNetwork,
  isSessionAddress,
  normaliseAddress,
} from '../../../src/emulator/krypton/cellular-network.js';

describe('simulated cellular network', () => {
  it('gives each attached SIM its own 127/8 address outside 127.0.x.x and maps it back to the IMSI', () => {
    const network = new CellularNetwork();
    const sessions = Array.from({ length: 600 }, (_, i) =>
      network.attach(`29505000000${String(i).padStart(4, '0')}`),
    );
    const addresses = new Set(sessions.map((session) => session.address));
    expect(addresses.size).toBe(600);
    for (const session of sessions) {
      expect(session.address).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(isSessionAddress(session.address)).toBe(true);
      expect(session.address.startsWith('127.0.')).toBe(false);
      expect(session.address.endsWith('.0')).toBe(false);
      expect(session.address.endsWith('.255')).toBe(false);
      expect(network.sessionByAddress(session.address)?.imsi).toBe(session.imsi);
    }
    expect(network.sessionCount).toBe(600);
  });

  it('re-attaching returns the live session; detach ends it and frees the lookup', () => {
    const network = new CellularNetwork();
    const first = network.attach('295050000000001');
    expect(network.attach('295050000000001')).toBe(first);
    expect(network.detach('295050000000001')).toBe(true);
    expect(network.detach('295050000000001')).toBe(false);
    expect(network.sessionByAddress(first.address)).toBeUndefined();
    const again = network.attach('295050000000001');
    expect(again.address).not.toBe(first.address);
    expect(again.sessionId).not.toBe(first.sessionId);
  });

  it('understands the IPv4-mapped form a dual-stack listener reports', () => {
    const network = new CellularNetwork();
    const session = network.attach('295050000000002');
    expect(normaliseAddress(`::ffff:${session.address}`)).toBe(session.address);
    expect(network.sessionByAddress(`::ffff:${session.address}`)?.imsi).toBe('295050000000002');
    expect(network.sessionByAddress('127.0.0.1')).toBeUndefined();
    expect(network.sessionByAddress(undefined)).toBeUndefined();
  });

  describe('a device socket bound to its session address', () => {
    let server: Server;
    let port: number;
    const seen: string[] = [];
    beforeAll(async () => {
      server = createServer((socket) => {
        seen.push(socket.remoteAddress ?? '');
        socket.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('reaches a loopback server, which sees the session address and resolves the IMSI', async () => {
      const network = new CellularNetwork();
      const session = network.attach('295050000000003');
      await new Promise<void>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, localAddress: session.address });
        socket.on('close', () => resolve());
        socket.on('error', reject);
        socket.resume();
      });
      expect(seen).toEqual([session.address]);
      expect(network.sessionByAddress(seen[0])?.imsi).toBe('295050000000003');
    });
  });
});
