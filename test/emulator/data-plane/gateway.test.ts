import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RejectionEvent } from '../../../src/emulator/data-plane/index.js';
import {
  ARN,
  allowAllPolicy,
  closed,
  connectDevice,
  Harness,
  mustConnect,
  nextMessage,
  sleep,
} from '../../support/data-plane.js';

let harness: Harness;
const rejections: RejectionEvent[] = [];

beforeAll(async () => {
  harness = await Harness.start();
  harness.plane.on('rejected', (event: RejectionEvent) => rejections.push(event));
});
afterAll(async () => {
  await harness?.close();
});

describe('mutual TLS and certificate status', () => {
  it('accepts an ACTIVE certificate with a policy, negotiates ALPN x-amzn-mqtt-ca, and round-trips a message', async () => {
    const device = await harness.device('dev-ok');
    const client = await mustConnect(harness, device, { alpn: true });
    const socket = client.stream as unknown as { alpnProtocol?: string | false };
    expect(socket.alpnProtocol).toBe('x-amzn-mqtt-ca');
    await client.subscribeAsync('things/dev-ok/cmd', { qos: 1 });
    const message = nextMessage(client, 'things/dev-ok/cmd');
    await client.publishAsync('things/dev-ok/cmd', 'hello', { qos: 1 });
    expect((await message)?.toString()).toBe('hello');
    await client.endAsync();
  });

  it('serves a certificate valid for 127.0.0.1, localhost and the iot:Data-ATS host', async () => {
    const host = harness.registry.endpointAddress('iot:Data-ATS');
    for (const servername of ['localhost', host]) {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: harness.plane.port,
        servername,
        ca: harness.pki.bundlePem,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', () => resolve());
        socket.once('error', reject);
      });
      expect(socket.authorized).toBe(true);
      socket.destroy();
    }
  });

  it('closes the connection (no CONNACK) for INACTIVE, unknown and missing certificates', async () => {
    const inactive = await harness.device('dev-inactive', { status: 'INACTIVE' });
    const result = await connectDevice(harness, inactive);
    expect(result).toEqual({ connected: false, error: expect.stringMatching(/closed|ECONNRESET|socket/i) });
    expect(rejections.some((r) => r.clientId === 'dev-inactive' && /INACTIVE/.test(r.reason))).toBe(true);

    const stranger = await harness.pki.createKeysAndCertificate();
    const unknown = await connectDevice(harness, {
      clientId: 'dev-unknown',
      certificatePem: stranger.certificate.pem,
      privateKeyPem: stranger.keyPair.privateKeyPem,
    });
    expect(unknown.connected).toBe(false);
    expect(rejections.some((r) => r.clientId === 'dev-unknown' && /not registered/.test(r.reason))).toBe(
      true,
    );
  });

  it('refuses a provisioning claim certificate after it expires', async () => {
    const issued = await harness.pki.createKeysAndCertificate();
    const record = harness.registry.addCertificate({
      certificate: issued.certificate,
      status: 'ACTIVE',
      origin: 'provisioning-claim',
      expiresAt: Date.now() - 1,
    });
    harness.registry.createPolicy('claim-expired', allowAllPolicy);
    harness.registry.attachPolicy('claim-expired', record.certificateArn);
    const result = await connectDevice(harness, {
      clientId: 'claimer',
      certificatePem: issued.certificate.pem,
      privateKeyPem: issued.keyPair.privateKeyPem,
    });
    expect(result.connected).toBe(false);
    expect(rejections.some((r) => r.clientId === 'claimer' && /expired/.test(r.reason))).toBe(true);
  });

  it('disconnects live connections when the certificate is set INACTIVE', async () => {
    const device = await harness.device('dev-revoke');
    const client = await mustConnect(harness, device);
    const wasClosed = closed(client);
    harness.registry.updateCertificateStatus(device.certificateId, 'INACTIVE');
    expect(await wasClosed).toBe(true);
    client.end(true);
  });
});

describe('policy authorization', () => {
  it('nothing is allowed without a policy: connect is closed', async () => {
    const device = await harness.device('dev-nopolicy', { policy: null });
    const result = await connectDevice(harness, device);
    expect(result.connected).toBe(false);
    expect(rejections.some((r) => r.clientId === 'dev-nopolicy' && /iot:Connect denied/.test(r.reason))).toBe(
      true,
    );
  });

  it('thing policy variables: a client ID that is not the attached thing is refused', async () => {
    const device = await harness.device('dev-thing');
    const result = await connectDevice(harness, { ...device, clientId: 'someone-else' });
    expect(result.connected).toBe(false);
  });

  it('a denied subscribe gets SUBACK 0x80 and the connection stays open', async () => {
    const device = await harness.device('dev-sub');
    const client = await mustConnect(harness, device);
    const granted = await new Promise<number[]>((resolve) => {
      client.subscribe(['things/dev-sub/ok', 'things/other/x'], { qos: 1 }, (error, grants) => {
        const packet = (error as { packet?: { granted?: number[] } } | null)?.packet;
        resolve(packet?.granted ?? (grants ?? []).map((g) => g.qos));
      });
    });
    expect(granted).toEqual([1, 128]);
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('a denied publish closes the connection (MQTT 3.1.1)', async () => {
    const device = await harness.device('dev-pub');
    const client = await mustConnect(harness, device);
    const wasClosed = closed(client);
    client.publish('things/other/data', 'x', { qos: 1 });
    expect(await wasClosed).toBe(true);
    client.end(true);
  });

  it('publishing to a reserved $aws/events/ topic closes the connection even with iot:* allowed', async () => {
    const device = await harness.device('dev-reserved', { policy: allowAllPolicy });
    const client = await mustConnect(harness, device);
    const wasClosed = closed(client);
    client.publish('$aws/events/presence/connected/someone', '{}', { qos: 1 });
    expect(await wasClosed).toBe(true);
    client.end(true);
  });

  it('DetachPolicy applies to a live connection: the next publish is denied and the connection closed', async () => {
    const device = await harness.device('dev-detach');
    const client = await mustConnect(harness, device);
    await client.publishAsync('things/dev-detach/ok', 'allowed', { qos: 1 });
    const policyName = `p-${device.certificateId.slice(0, 12)}`;
    harness.registry.detachPolicy(policyName, device.certificateArn);
    const wasClosed = closed(client);
    client.publish('things/dev-detach/ok', 'denied now', { qos: 1 });
    expect(await wasClosed).toBe(true);
    client.end(true);
  });

  it('an explicit Deny wins, and messages on topics without iot:Receive are not delivered', async () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Action: 'iot:*', Resource: '*' },
        { Effect: 'Deny', Action: 'iot:Receive', Resource: `${ARN}:topic/shared/secret` },
      ],
    });
    const device = await harness.device('dev-deny', { policy });
    const client = await mustConnect(harness, device);
    await client.subscribeAsync('shared/#', { qos: 0 });
    const secret = nextMessage(client, 'shared/secret', 500);
    const open = nextMessage(client, 'shared/open', 2_000);
    harness.plane.publish('shared/secret', Buffer.from('s'));
    harness.plane.publish('shared/open', Buffer.from('o'));
    expect((await open)?.toString()).toBe('o');
    expect(await secret).toBeUndefined();
    await client.endAsync();
  });
});

describe('sessions and presence', () => {
  it('a second connection with the same client ID kicks the first; presence events say why', async () => {
    const watcher = await harness.device('watcher', { policy: allowAllPolicy });
    const watch = await mustConnect(harness, watcher);
    await watch.subscribeAsync('$aws/events/presence/+/dev-twin', { qos: 0 });
    const device = await harness.device('dev-twin');
    const connected = nextMessage(watch, '$aws/events/presence/connected/dev-twin');
    const first = await mustConnect(harness, device);
    const connectedEvent = JSON.parse(String(await connected));
    expect(connectedEvent).toMatchObject({
      clientId: 'dev-twin',
      eventType: 'connected',
      principalIdentifier: device.certificateId,
      ipAddress: '127.0.0.1',
      versionNumber: 0,
    });
    const firstClosed = closed(first);
    const disconnected = nextMessage(watch, '$aws/events/presence/disconnected/dev-twin');
    await sleep(50);
    const second = await mustConnect(harness, device);
    expect(await firstClosed).toBe(true);
    first.end(true);
    expect(JSON.parse(String(await disconnected))).toMatchObject({
      eventType: 'disconnected',
      disconnectReason: 'DUPLICATE_CLIENTID',
      clientInitiatedDisconnect: false,
    });
    const clean = nextMessage(watch, '$aws/events/presence/disconnected/dev-twin');
    await second.endAsync();
    expect(JSON.parse(String(await clean))).toMatchObject({
      disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
      clientInitiatedDisconnect: true,
    });
    await watch.endAsync();
  });
});

describe('connect rate limits', () => {
  // Rates far below one per second keep these checks independent of machine speed.
  it('a second connect with the same client ID inside the per-client-ID window is closed', async () => {
    const limited = await Harness.start({ limits: { connectsPerSecondPerClientId: 0.2 } });
    try {
      const device = await limited.device('dev-rate');
      const first = await mustConnect(limited, device);
      const second = await connectDevice(limited, device);
      expect(second.connected).toBe(false);
      const other = await limited.device('dev-rate-other');
      const third = await mustConnect(limited, other);
      await Promise.all([first.endAsync(), third.endAsync()]);
    } finally {
      await limited.close();
    }
  });

  it('connects beyond the account rate are closed', async () => {
    const limited = await Harness.start({ limits: { connectsPerSecond: 0.2 } });
    try {
      const devices = await Promise.all(['a', 'b', 'c'].map((name) => limited.device(`dev-acct-${name}`)));
      const results = await Promise.all(devices.map((d) => connectDevice(limited, d)));
      expect(results.filter((r) => r.connected)).toHaveLength(1);
      for (const r of results) if (r.connected) await r.client.endAsync();
    } finally {
      await limited.close();
    }
  });
});
