import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceCa } from '../../scenarios/lib/device-ca.js';
import { createCsr, generateDeviceKey, generateDeviceKeyPair } from '../../scenarios/lib/device-keys.js';
import {
  connectAndPublish,
  DeviceMqttConnection,
  type DeviceMqttOptions,
} from '../../scenarios/lib/mqtt-device.js';
import { isRejectedConnect, retryUntilAccepted } from '../../scenarios/lib/retry-connect.js';
import { x509 } from '../../scenarios/lib/x509.js';
import { ClassifiedError } from '../../src/contract/errors.js';
import { startTestBroker, type TestBroker } from '../support/mtls-broker.js';

describe('device CA helper', () => {
  it('signs a verification certificate whose CN is the registration code and which chains to the CA', async () => {
    const ca = await DeviceCa.create({ commonName: 'factory CA' });
    const code = 'ab'.repeat(32);
    const verification = new x509.X509Certificate(await ca.verificationCertificate(code));
    expect(verification.subject).toBe(`CN=${code}`);
    expect(verification.issuer).toBe(ca.subject);
    const caCert = new x509.X509Certificate(ca.certificatePem);
    expect(await verification.verify({ publicKey: caCert.publicKey, signatureOnly: true })).toBe(true);
    expect(caCert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
  });

  it('signs a CSR with the CSR key and subject, for EC and RSA devices', async () => {
    const ca = await DeviceCa.create({ commonName: 'factory CA', keyType: 'rsa' });
    for (const keyType of ['ec', 'rsa'] as const) {
      const key = await generateDeviceKey(keyType);
      const csrPem = createCsr(key, 'CN=device-7, O=acme');
      expect(await new x509.Pkcs10CertificateRequest(csrPem).verify()).toBe(true);
      const cert = new x509.X509Certificate(await ca.signCsr(csrPem));
      expect(cert.subject).toBe('CN=device-7, O=acme');
      expect(cert.issuer).toBe(ca.subject);
      const caCert = new x509.X509Certificate(ca.certificatePem);
      expect(await cert.verify({ publicKey: caCert.publicKey, signatureOnly: true })).toBe(true);
      expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toContain('1.3.6.1.5.5.7.3.2');
      const expected = new x509.Pkcs10CertificateRequest(csrPem).publicKey.rawData;
      expect(Buffer.from(cert.publicKey.rawData).equals(Buffer.from(expected))).toBe(true);
      expect(key.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    }
  });

  it('signs a CSR made by another implementation (@peculiar/x509)', async () => {
    const ca = await DeviceCa.create({ commonName: 'factory CA' });
    const key = await generateDeviceKeyPair('ec');
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=other-impl',
      keys: key.keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    const cert = new x509.X509Certificate(await ca.signCsr(csr.toString('pem')));
    expect(cert.subject).toBe('CN=other-impl');
  });

  it('refuses a CSR whose signature does not verify', async () => {
    const ca = await DeviceCa.create({ commonName: 'factory CA' });
    const key = await generateDeviceKey('ec');
    const csrPem = createCsr(key, 'CN=device-1');
    const der = Buffer.from(x509.PemConverter.decodeFirst(csrPem));
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 0xff;
    await expect(ca.signCsr(x509.PemConverter.encode(der, 'CERTIFICATE REQUEST'))).rejects.toThrow(
      /does not verify/,
    );
  });
});

describe('retryUntilAccepted', () => {
  it('retries only rejected connects, never sooner than the floor, and reports every delay', async () => {
    const delays: number[] = [];
    let calls = 0;
    const outcome = await retryUntilAccepted(
      async () => {
        calls++;
        if (calls < 3) throw new ClassifiedError('auth_rejected', 'closed before CONNACK');
        return 'connected';
      },
      {
        maxAttempts: 5,
        backoff: { baseMs: 8, capMs: 8 },
        minDelayMs: 5,
        random: () => 0.5,
        onRetry: (_attempt, _error, delayMs) => delays.push(delayMs),
      },
    );
    expect(outcome).toEqual({ value: 'connected', attempts: 3 });
    expect(delays).toEqual([9, 9]);
  });

  it('does not retry a failure that is not a rejected connect', async () => {
    let calls = 0;
    const failing = retryUntilAccepted(
      async () => {
        calls++;
        throw new ClassifiedError('server_error', 'connection refused');
      },
      { maxAttempts: 5, backoff: { baseMs: 1, capMs: 1 } },
    );
    await expect(failing).rejects.toThrow('connection refused');
    expect(calls).toBe(1);
  });
});

describe('device MQTT over mutual TLS', () => {
  let deviceCa: DeviceCa;
  let strangerCa: DeviceCa;
  let broker: TestBroker;
  const refusals = new Map<string, number>();
  const published: Array<{ clientId: string | undefined; topic: string }> = [];

  beforeAll(async () => {
    deviceCa = await DeviceCa.create({ commonName: 'device CA' });
    strangerCa = await DeviceCa.create({ commonName: 'unknown CA' });
    broker = await startTestBroker([deviceCa], {
      // Close the first N connects of a client, as AWS does for a JITR/JITP certificate.
      preConnect: (client, packet, done) => {
        const left = refusals.get(packet.clientId) ?? 0;
        if (left > 0) {
          refusals.set(packet.clientId, left - 1);
          client.conn.destroy();
          done(null, false);
          return;
        }
        done(null, true);
      },
    });
    broker.broker.on('publish', (packet, client) => {
      if (client) published.push({ clientId: client.id, topic: packet.topic });
    });
    // A responder for the request/response test.
    broker.broker.subscribe(
      'svc/ask',
      (packet, done) => {
        const ok = packet.payload.toString() === 'yes';
        broker.broker.publish(
          {
            cmd: 'publish',
            topic: `svc/ask/${ok ? 'accepted' : 'rejected'}`,
            payload: Buffer.from('{}'),
            qos: 0,
            retain: false,
            dup: false,
          },
          () => done(),
        );
      },
      () => {},
    );
  });

  afterAll(async () => {
    await broker.close();
  });

  async function deviceOptions(clientId: string, ca = deviceCa): Promise<DeviceMqttOptions> {
    const issued = await ca.issueDevice(`CN=${clientId}`);
    return {
      host: '127.0.0.1',
      port: broker.port,
      clientId,
      certificatePem: issued.certificatePem,
      privateKeyPem: issued.key.privateKeyPem,
      caPem: broker.serverCaPem,
      connectTimeoutMs: 5_000,
      operationTimeoutMs: 5_000,
    };
  }

  it('connects with the device certificate and resolves once the QoS 1 publish is acknowledged', async () => {
    await connectAndPublish(await deviceOptions('dev-a'), { topic: 'things/dev-a/boot', payload: 'hello' });
    expect(published).toContainEqual({ clientId: 'dev-a', topic: 'things/dev-a/boot' });
    expect(broker.peers.find((p) => p.commonName === 'dev-a')?.chainLength).toBe(2);
  });

  it('sends the CA in the chain when asked', async () => {
    const options = { ...(await deviceOptions('dev-chain')), chainPem: deviceCa.certificatePem };
    await connectAndPublish(options, { topic: 't', payload: 'x' });
    expect(broker.peers.some((p) => p.commonName === 'dev-chain')).toBe(true);
  });

  it('binds to the given local address (the cellular session address)', async () => {
    const options = { ...(await deviceOptions('dev-cell')), localAddress: '127.0.0.42' };
    await connectAndPublish(options, { topic: 't', payload: 'x' });
    expect(broker.peers.find((p) => p.commonName === 'dev-cell')?.remoteAddress).toBe('127.0.0.42');
  });

  it('reports a server certificate the device does not trust as tls_rejected', async () => {
    const options = { ...(await deviceOptions('dev-wrong-bundle')), caPem: strangerCa.certificatePem };
    const error = await connectAndPublish(options, { topic: 't', payload: 'x' }).catch((e: unknown) => e);
    expect(error instanceof ClassifiedError && error.errorClass).toBe('tls_rejected');
  });

  it('still checks the server certificate against the name it was reached by', async () => {
    const options = { ...(await deviceOptions('dev-wrong-name')), servername: 'not-the-broker.example' };
    const error = await connectAndPublish(options, { topic: 't', payload: 'x' }).catch((e: unknown) => e);
    expect(error instanceof ClassifiedError && error.errorClass).toBe('tls_rejected');
    expect(String(error instanceof ClassifiedError && error.cause)).toMatch(/not-the-broker\.example/);
  });

  it('treats a device certificate the server refuses as a rejected connect (closed, as on AWS)', async () => {
    const error = await connectAndPublish(await deviceOptions('dev-stranger', strangerCa), {
      topic: 't',
      payload: 'x',
    }).catch((e: unknown) => e);
    expect(isRejectedConnect(error)).toBe(true);
    expect(published.some((p) => p.clientId === 'dev-stranger')).toBe(false);
  });

  it('reports a connection closed before CONNACK as auth_rejected', async () => {
    refusals.set('dev-closed', 1);
    const error = await connectAndPublish(await deviceOptions('dev-closed'), {
      topic: 't',
      payload: 'x',
    }).catch((e: unknown) => e);
    expect(error instanceof ClassifiedError && error.errorClass).toBe('auth_rejected');
  });

  it('retries a closed connect with backoff, counting attempts, until accepted', async () => {
    refusals.set('dev-jitr', 2);
    const options = await deviceOptions('dev-jitr');
    const retries: number[] = [];
    const outcome = await retryUntilAccepted(() => connectAndPublish(options, { topic: 't', payload: 'x' }), {
      maxAttempts: 5,
      backoff: { baseMs: 10, capMs: 50 },
      onRetry: (attempt) => retries.push(attempt),
    });
    expect(outcome.attempts).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('gives up after maxAttempts and says how many it made', async () => {
    refusals.set('dev-never', 10);
    const options = await deviceOptions('dev-never');
    await expect(
      retryUntilAccepted(() => connectAndPublish(options, { topic: 't', payload: 'x' }), {
        maxAttempts: 2,
        backoff: { baseMs: 1, capMs: 1 },
      }),
    ).rejects.toThrow(/after 2 attempts/);
  });

  it('answers a request with the accepted or rejected topic', async () => {
    const connection = await DeviceMqttConnection.open(await deviceOptions('dev-req'));
    try {
      expect((await connection.request('svc/ask', 'yes')).accepted).toBe(true);
      expect((await connection.request('svc/ask', 'no')).accepted).toBe(false);
    } finally {
      await connection.end();
    }
  });
});
