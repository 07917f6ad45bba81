import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KryptonClient } from '../../scenarios/lib/krypton-client.js';
import { EmulatorPki } from '../../src/pki/emulator-pki.js';

let pki: EmulatorPki;
let server: Server;
let port: number;

beforeAll(async () => {
  pki = await EmulatorPki.open({ keyPoolSize: 0 });
  const tls = await pki.issueServerCertificate(['localhost']);
  server = createServer({ key: tls.privateKeyPem, cert: tls.chainPem }, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await pki.close();
});

describe('device HTTPS: server name checked on the leaf certificate only', () => {
  it('connects by a name the certificate holds without fetching the chain as JS objects', async () => {
    const spy = vi.spyOn(TLSSocket.prototype, 'getPeerCertificate');
    const client = new KryptonClient({ baseUrl: `https://localhost:${port}`, ca: pki.bundlePem });
    try {
      const result = await client.send('/', '{}', {});
      expect(result.status).toBe(200);
      expect(spy).toHaveBeenCalled();
      expect(spy.mock.calls.every(([detailed]) => detailed === false)).toBe(true);
    } finally {
      client.close();
      spy.mockRestore();
    }
  });

  it('still refuses a server whose certificate does not name the host it was reached by', async () => {
    const client = new KryptonClient({ baseUrl: `https://127.0.0.1:${port}`, ca: pki.bundlePem });
    try {
      await expect(client.send('/', '{}', {})).rejects.toThrow(/127\.0\.0\.1/);
    } finally {
      client.close();
    }
  });

  it('still refuses a server whose chain the trust store does not hold', async () => {
    const other = await EmulatorPki.open({ keyPoolSize: 0 });
    const client = new KryptonClient({ baseUrl: `https://localhost:${port}`, ca: other.bundlePem });
    try {
      await expect(client.send('/', '{}', {})).rejects.toThrow(/certificate/i);
    } finally {
      client.close();
      await other.close();
    }
  });
});
