import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceCa } from '../../scenarios/lib/device-ca.js';
import { connectAndPublish, type DeviceMqttOptions } from '../../scenarios/lib/mqtt-device.js';
import { DeviceLink, type FieldLink } from '../../src/network/field-link.js';
import { startTestBroker, type TestBroker } from '../support/mtls-broker.js';
import { fixedProfile } from './support.js';

let deviceCa: DeviceCa;
let broker: TestBroker;

beforeAll(async () => {
  deviceCa = await DeviceCa.create({ commonName: 'link test devices' });
  broker = await startTestBroker([deviceCa]);
});

afterAll(async () => {
  await broker.close();
});

async function options(clientId: string, link: DeviceLink): Promise<DeviceMqttOptions> {
  const issued = await deviceCa.issueDevice(`CN=${clientId}`);
  return {
    host: '127.0.0.1',
    port: broker.port,
    clientId,
    certificatePem: issued.certificatePem,
    privateKeyPem: issued.key.privateKeyPem,
    caPem: broker.serverCaPem,
    connectTimeoutMs: 20_000,
    operationTimeoutMs: 20_000,
    link,
  };
}

describe('MQTT over the field link', () => {
  it('connect and one acknowledged publish cost at least 4 round trips on TLS 1.3 (TCP, TLS, CONNECT, PUBLISH)', async () => {
    const rtt = 250;
    const link = new DeviceLink(fixedProfile({ rttMs: { median: rtt, p95: rtt } }), 5, 1);
    const started = performance.now();
    await connectAndPublish(await options('dev-rtt', link), {
      topic: 't/dev-rtt',
      payload: 'x'.repeat(6_000),
    });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(4 * rtt);
    expect(elapsed).toBeLessThan(4 * rtt + 15_000);
    const report = link.finish();
    expect(report.device.connections).toBe(1);
    expect(report.device.tlsHandshakes).toBe(1);
    expect(report.device.mqttMessages).toBe(1);
    // 6,000 bytes of payload: two of AWS's 5 KB metering units.
    expect(report.device.mqttBilledUnits).toBe(2);
    expect(report.device.bytesSent).toBeGreaterThan(6_000);
  });

  it('on TLS 1.2 the handshake needs one more round trip: at least 5', async () => {
    const rtt = 250;
    const link = new DeviceLink(fixedProfile({ rttMs: { median: rtt, p95: rtt } }), 5, 2);
    const started = performance.now();
    // A device whose TLS stack stops at 1.2 (many cellular modules).
    const tls12: FieldLink = {
      profile: link.profile,
      connectTls: (tlsOptions) => link.connectTls({ ...tlsOptions, maxVersion: 'TLSv1.2' }),
      countMqttPublish: (bytes) => link.countMqttPublish(bytes),
    };
    await connectAndPublish(
      { ...(await options('dev-tls12', link)), link: tls12 },
      { topic: 't/dev-tls12', payload: 'x' },
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 * rtt);
  });
});
