import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JitOutcome, RuleInvocation } from '../../../src/emulator/data-plane/index.js';
import {
  allowAllPolicy,
  connectDevice,
  deviceCertificateFrom,
  devicePolicy,
  Harness,
  mustConnect,
  nextMessage,
} from '../../support/data-plane.js';

let harness: Harness;
const outcomes: JitOutcome[] = [];
const invocations: RuleInvocation[] = [];

/** The scenario's "Lambda": activates the certificate, creates the thing, attaches a policy. */
function jitrActivator(h: () => Harness) {
  return async (event: unknown) => {
    const { certificateId } = event as { certificateId: string };
    const registry = h().registry;
    const certificate = registry.describeCertificate(certificateId);
    const thingName = `jitr-${certificateId.slice(0, 8)}`;
    registry.createThing({ thingName });
    registry.attachThingPrincipal(thingName, certificate.certificateArn);
    if (!registry.getPolicy('jitr-device')) registry.createPolicy('jitr-device', devicePolicy);
    registry.attachPolicy('jitr-device', certificate.certificateArn);
    registry.updateCertificateStatus(certificateId, 'ACTIVE');
    return { thingName };
  };
}

beforeAll(async () => {
  harness = await Harness.start({ functions: { 'jitr-activator': jitrActivator(() => harness) } });
  harness.plane.on('jit', (outcome: JitOutcome) => outcomes.push(outcome));
  harness.plane.on('rule', (invocation: RuleInvocation) => invocations.push(invocation));
});
afterAll(async () => {
  await harness?.close();
});

const until = async (check: () => boolean, ms = 3_000) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe('JITR', () => {
  it('registers PENDING_ACTIVATION, publishes the event, closes; a rule-run local function activates; the device reconnects', async () => {
    const ca = await harness.customerCa('CN=JITR Test CA, O=Acme');
    harness.registry.createTopicRule({
      ruleName: 'jitr',
      sql: `SELECT * FROM '$aws/events/certificates/registered/${ca.caCertificateId}'`,
      ruleDisabled: false,
      actions: [{ lambda: { functionArn: `arn:aws:lambda:us-east-1:123456789012:function:jitr-activator` } }],
    });
    const watcher = await harness.device('jitr-watcher', { policy: allowAllPolicy });
    const watch = await mustConnect(harness, watcher);
    await watch.subscribeAsync('$aws/events/certificates/registered/#', { qos: 0 });
    const event = nextMessage(watch, `$aws/events/certificates/registered/${ca.caCertificateId}`);

    const device = await deviceCertificateFrom(ca.signer, 'CN=jitr-device-1');
    const first = await connectDevice(harness, {
      clientId: `jitr-${device.certificateId.slice(0, 8)}`,
      ...device,
      chainPem: ca.pem,
    });
    expect(first.connected).toBe(false);
    const payload = JSON.parse(String(await event));
    expect(payload).toMatchObject({
      certificateId: device.certificateId,
      caCertificateId: ca.caCertificateId,
      certificateStatus: 'PENDING_ACTIVATION',
      awsAccountId: '123456789012',
      sourceIp: '127.0.0.1',
    });
    expect(typeof payload.timestamp).toBe('number');
    expect(payload.certificateRegistrationTimestamp).toMatch(/^\d+$/);

    expect(
      await until(() => harness.registry.getCertificate(device.certificateId)?.status === 'ACTIVE'),
    ).toBe(true);
    expect(invocations.find((i) => i.ruleName === 'jitr')?.error).toBeUndefined();
    const second = await mustConnect(harness, {
      clientId: `jitr-${device.certificateId.slice(0, 8)}`,
      ...device,
    });
    await second.endAsync();
    await watch.endAsync();
  });

  it('publishes the event again when a PENDING_ACTIVATION certificate retries; refuses certificates of a DISABLE CA', async () => {
    const ca = await harness.customerCa('CN=JITR Retry CA');
    const device = await deviceCertificateFrom(ca.signer, 'CN=retry-device');
    const credentials = { clientId: 'retry-device', ...device };
    expect((await connectDevice(harness, credentials)).connected).toBe(false);
    expect((await connectDevice(harness, credentials)).connected).toBe(false);
    const published = outcomes.filter(
      (o) => o.kind === 'jitr-event-published' && o.certificateId === device.certificateId,
    );
    expect(published).toHaveLength(2);
    expect(harness.registry.getCertificate(device.certificateId)?.status).toBe('PENDING_ACTIVATION');

    const closedCa = await harness.customerCa('CN=No Auto CA', { autoRegistration: false });
    const other = await deviceCertificateFrom(closedCa.signer, 'CN=no-auto');
    expect((await connectDevice(harness, { clientId: 'no-auto', ...other })).connected).toBe(false);
    expect(harness.registry.getCertificate(other.certificateId)).toBeUndefined();
  });

  it('over MQTT 5: the first connect is closed without CONNACK, the rule activates, the device reconnects', async () => {
    const ca = await harness.customerCa('CN=JITR MQTT5 CA');
    harness.registry.createTopicRule({
      ruleName: 'jitr_v5',
      sql: `SELECT * FROM '$aws/events/certificates/registered/${ca.caCertificateId}'`,
      ruleDisabled: false,
      actions: [{ lambda: { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:jitr-activator' } }],
    });
    const device = await deviceCertificateFrom(ca.signer, 'CN=jitr-v5-device');
    const credentials = { clientId: `jitr-${device.certificateId.slice(0, 8)}`, ...device, chainPem: ca.pem };
    const first = await connectDevice(harness, credentials, { protocolVersion: 5 });
    expect(first.connected).toBe(false);
    expect(first.connected === false && first.reasonCode).toBeUndefined();
    expect(outcomes).toContainEqual(
      expect.objectContaining({ kind: 'jitr-event-published', certificateId: device.certificateId }),
    );
    expect(
      await until(() => harness.registry.getCertificate(device.certificateId)?.status === 'ACTIVE'),
    ).toBe(true);
    const second = await mustConnect(harness, credentials, { protocolVersion: 5 });
    await second.publishAsync(`things/${credentials.clientId}/hello`, 'v5', { qos: 1 });
    await second.endAsync();
  });
});

const jitpTemplate = JSON.stringify({
  Parameters: {
    'AWS::IoT::Certificate::CommonName': { Type: 'String' },
    'AWS::IoT::Certificate::Country': { Type: 'String' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: {
        ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' },
        AttributePayload: { country: { Ref: 'AWS::IoT::Certificate::Country' } },
      },
    },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
    },
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: devicePolicy } },
  },
});

describe('JITP', () => {
  it('runs the CA template on first connect (closed), then the device connects with its thing policy', async () => {
    const ca = await harness.customerCa('CN=JITP CA', { templateBody: jitpTemplate });
    const device = await deviceCertificateFrom(ca.signer, 'C=DE, CN=jitp-device-1');
    const credentials = { clientId: 'jitp-device-1', ...device };
    expect((await connectDevice(harness, credentials)).connected).toBe(false);
    expect(outcomes).toContainEqual({
      kind: 'jitp-provisioned',
      certificateId: device.certificateId,
      thingName: 'jitp-device-1',
    });
    expect(harness.registry.getCertificate(device.certificateId)?.status).toBe('ACTIVE');
    expect(harness.registry.getThing('jitp-device-1')?.attributes).toEqual({ country: 'DE' });
    const client = await mustConnect(harness, credentials);
    await client.subscribeAsync('things/jitp-device-1/cmd');
    await client.endAsync();
  });

  it('over MQTT 5: the template runs on first connect (closed), then the device connects', async () => {
    const ca = await harness.customerCa('CN=JITP MQTT5 CA', { templateBody: jitpTemplate });
    const device = await deviceCertificateFrom(ca.signer, 'C=FR, CN=jitp-v5-device');
    const credentials = { clientId: 'jitp-v5-device', ...device };
    const first = await connectDevice(harness, credentials, { protocolVersion: 5 });
    expect(first.connected).toBe(false);
    expect(harness.registry.getCertificate(device.certificateId)?.status).toBe('ACTIVE');
    const client = await mustConnect(harness, credentials, { protocolVersion: 5 });
    const [grant] = await client.subscribeAsync('things/jitp-v5-device/cmd', { qos: 1 });
    expect(grant?.qos).toBe(1);
    await client.endAsync();
  });

  it('fails provisioning when the certificate lacks a declared parameter, and says which', async () => {
    const ca = await harness.customerCa('CN=JITP CA 2', { templateBody: jitpTemplate });
    const device = await deviceCertificateFrom(ca.signer, 'CN=no-country');
    expect((await connectDevice(harness, { clientId: 'no-country', ...device })).connected).toBe(false);
    const failure = outcomes.find(
      (o) => o.kind === 'jitp-failed' && o.certificateId === device.certificateId,
    );
    expect(failure && 'reason' in failure ? failure.reason : '').toContain('AWS::IoT::Certificate::Country');
    expect(harness.registry.getCertificate(device.certificateId)?.status).toBe('PENDING_ACTIVATION');
    expect(harness.registry.getThing('no-country')).toBeUndefined();
  });

  it('counts toward the device-certificate registration rate', async () => {
    const limited = await Harness.start({ limits: { deviceCertificateRegistrationsPerSecond: 0.2 } });
    try {
      const ca = await limited.customerCa('CN=Rate CA');
      const seen: JitOutcome[] = [];
      limited.plane.on('jit', (o: JitOutcome) => seen.push(o));
      for (const name of ['r1', 'r2']) {
        const device = await deviceCertificateFrom(ca.signer, `CN=${name}`);
        await connectDevice(limited, { clientId: name, ...device });
      }
      expect(seen.map((o) => o.kind)).toEqual(['jitr-event-published', 'throttled']);
    } finally {
      await limited.close();
    }
  });
});
