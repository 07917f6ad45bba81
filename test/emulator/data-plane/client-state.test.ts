import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closed, type Device, Harness, mustConnect } from '../../support/data-plane.js';

let harness: Harness;
const devices: Device[] = [];

beforeAll(async () => {
  harness = await Harness.start();
  for (let i = 0; i < 4; i += 1) devices.push(await harness.device(`state-${i}`));
});

afterAll(async () => {
  await harness?.close();
});

async function waitFor(condition: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('gateway per-client state', () => {
  it('forgets sockets and certificates once clients disconnect, keeping one version per client ID', async () => {
    for (let round = 0; round < 2; round += 1) {
      const clients = await Promise.all(devices.map((device) => mustConnect(harness, device)));
      expect(harness.plane.retainedClientState()).toMatchObject({ sockets: 4, certificatesInUse: 4 });
      await Promise.all(
        clients.map(async (client) => {
          await client.publishAsync(`things/${client.options.clientId}/boot`, 'up', { qos: 1 });
          const ended = closed(client);
          client.end();
          await ended;
        }),
      );
      await waitFor(() => harness.plane.retainedClientState().sockets === 0);
      expect(harness.plane.retainedClientState()).toEqual({
        sockets: 0,
        certificatesInUse: 0,
        clientIdVersions: 4,
      });
    }
  });

  it('reads client certificates without getPeerX509Certificate (it leaks native memory on Node 20)', async () => {
    const peerX509 = vi.spyOn(TLSSocket.prototype, 'getPeerX509Certificate');
    const peerLegacy = vi.spyOn(TLSSocket.prototype, 'getPeerCertificate');
    try {
      const client = await mustConnect(harness, devices[1] as Device);
      const ended = closed(client);
      client.end();
      await ended;
      expect(peerLegacy).toHaveBeenCalled();
      expect(peerX509).not.toHaveBeenCalled();
    } finally {
      peerX509.mockRestore();
      peerLegacy.mockRestore();
    }
  });

  it('forgets a connection the server drops when its certificate is deactivated', async () => {
    const device = devices[0] as Device;
    const client = await mustConnect(harness, device);
    const dropped = closed(client);
    harness.registry.updateCertificateStatus(device.certificateId, 'INACTIVE');
    expect(await dropped).toBe(true);
    await waitFor(() => harness.plane.retainedClientState().sockets === 0);
    expect(harness.plane.retainedClientState()).toMatchObject({ sockets: 0, certificatesInUse: 0 });
    client.end(true);
  });
});
