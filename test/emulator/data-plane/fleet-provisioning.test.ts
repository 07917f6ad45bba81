import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsrPem, generateKeyPairPem } from '../../../src/pki/index.js';
import { ARN, connectDevice, devicePolicy, Harness, mustConnect } from '../../support/data-plane.js';

let harness: Harness;
const hookCalls: unknown[] = [];

const fleetTemplate = JSON.stringify({
  Parameters: {
    SerialNumber: { Type: 'String' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Mappings: { Region: { eu: { Url: 'https://eu.example' } } },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: { ThingName: { 'Fn::Join': ['', ['fleet-', { Ref: 'SerialNumber' }]] } },
    },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
    },
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'fleet-device' } },
  },
  DeviceConfiguration: { url: { 'Fn::FindInMap': ['Region', 'eu', 'Url'] } },
});

/** The claim policy AWS documents: connect, and the provisioning topics only. */
function claimPolicy(templateName: string): string {
  const topics = [
    '$aws/certificates/create/*',
    '$aws/certificates/create-from-csr/*',
    `$aws/provisioning-templates/${templateName}/provision/*`,
  ];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['iot:Publish', 'iot:Receive'],
        Resource: topics.map((t) => `${ARN}:topic/${t}`),
      },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: topics.map((t) => `${ARN}:topicfilter/${t}`) },
    ],
  });
}

function template(name: string, hookTarget?: string): void {
  harness.registry.createProvisioningTemplate({
    templateName: name,
    templateBody: fleetTemplate,
    enabled: true,
    provisioningRoleArn: `${ARN}:role/provisioning`,
    type: 'FLEET_PROVISIONING',
    preProvisioningHook: hookTarget ? { targetArn: hookTarget, payloadVersion: '2020-04-01' } : undefined,
  });
}

beforeAll(async () => {
  harness = await Harness.start({
    hookTimeoutMs: 300,
    functions: {
      'allow-hook': (input: unknown) => {
        hookCalls.push(input);
        return { allowProvisioning: true, parameterOverrides: { SerialNumber: 'override-1' } };
      },
      'deny-hook': () => ({ allowProvisioning: false }),
      'slow-hook': () =>
        new Promise((resolve) => setTimeout(() => resolve({ allowProvisioning: true }), 2_000)),
    },
  });
  harness.registry.createPolicy('fleet-device', devicePolicy);
  template('plain');
  template('hooked', 'arn:aws:lambda:us-east-1:123456789012:function:allow-hook');
  template('denied', 'deny-hook');
  template('slow', 'slow-hook');
});
afterAll(async () => {
  await harness?.close();
});

async function claimClient(
  clientId: string,
  templateName: string,
  protocolVersion: 4 | 5 = 4,
): Promise<MqttClient> {
  const claim = await harness.device(clientId, { policy: claimPolicy(templateName), thing: false });
  return mustConnect(harness, claim, { protocolVersion });
}

async function request(
  client: MqttClient,
  topic: string,
  body: unknown,
): Promise<{ accepted: boolean; body: Record<string, unknown> }> {
  await client.subscribeAsync([`${topic}/accepted`, `${topic}/rejected`], { qos: 1 });
  const answer = new Promise<{ accepted: boolean; body: Record<string, unknown> }>((resolve) => {
    const onMessage = (received: string, payload: Buffer) => {
      if (received !== `${topic}/accepted` && received !== `${topic}/rejected`) return;
      client.off('message', onMessage);
      resolve({ accepted: received.endsWith('/accepted'), body: JSON.parse(payload.toString()) });
    };
    client.on('message', onMessage);
  });
  await client.publishAsync(topic, JSON.stringify(body), { qos: 1 });
  return answer;
}

describe('fleet provisioning by claim', () => {
  it('CreateKeysAndCertificate + RegisterThing: thing, policy, ACTIVE certificate, device configuration; the new certificate connects', async () => {
    const client = await claimClient('claim-1', 'plain');
    const keys = await request(client, '$aws/certificates/create/json', {});
    expect(keys.accepted).toBe(true);
    expect(Object.keys(keys.body).sort()).toEqual([
      'certificateId',
      'certificateOwnershipToken',
      'certificatePem',
      'privateKey',
    ]);
    const certificateId = String(keys.body.certificateId);
    expect(harness.registry.getCertificate(certificateId)?.status).toBe('PENDING_ACTIVATION');

    const provisioned = await request(client, '$aws/provisioning-templates/plain/provision/json', {
      certificateOwnershipToken: keys.body.certificateOwnershipToken,
      parameters: { SerialNumber: '42' },
    });
    expect(provisioned).toEqual({
      accepted: true,
      body: { deviceConfiguration: { url: 'https://eu.example' }, thingName: 'fleet-42' },
    });
    expect(harness.registry.getCertificate(certificateId)?.status).toBe('ACTIVE');
    await client.endAsync();

    const device = await mustConnect(harness, {
      clientId: 'fleet-42',
      certificatePem: String(keys.body.certificatePem),
      privateKeyPem: String(keys.body.privateKey),
    });
    await device.subscribeAsync('things/fleet-42/cmd');
    await device.endAsync();

    const reuse = await claimClient('claim-1b', 'plain');
    const again = await request(reuse, '$aws/provisioning-templates/plain/provision/json', {
      certificateOwnershipToken: keys.body.certificateOwnershipToken,
      parameters: { SerialNumber: '43' },
    });
    expect(again.body).toMatchObject({ statusCode: 400, errorCode: 'InvalidCertificateOwnershipToken' });
    await reuse.endAsync();
  });

  it('over MQTT 5: CreateKeysAndCertificate + RegisterThing, the new certificate connects; another template is refused with PUBACK 0x87', async () => {
    const client = await claimClient('claim-v5', 'plain', 5);
    const keys = await request(client, '$aws/certificates/create/json', {});
    expect(keys.accepted).toBe(true);
    const provisioned = await request(client, '$aws/provisioning-templates/plain/provision/json', {
      certificateOwnershipToken: keys.body.certificateOwnershipToken,
      parameters: { SerialNumber: 'v5' },
    });
    expect(provisioned).toMatchObject({ accepted: true, body: { thingName: 'fleet-v5' } });
    expect(harness.registry.getCertificate(String(keys.body.certificateId))?.status).toBe('ACTIVE');
    const refused = await new Promise<unknown>((resolve) =>
      client.publish('$aws/provisioning-templates/hooked/provision/json', '{}', { qos: 1 }, (error) =>
        resolve((error as { code?: unknown } | undefined)?.code),
      ),
    );
    expect(refused).toBe(0x87);
    expect(client.connected).toBe(true);
    await client.endAsync();

    const device = await mustConnect(
      harness,
      {
        clientId: 'fleet-v5',
        certificatePem: String(keys.body.certificatePem),
        privateKeyPem: String(keys.body.privateKey),
      },
      { protocolVersion: 5 },
    );
    await device.publishAsync('things/fleet-v5/hello', 'provisioned', { qos: 1 });
    await device.endAsync();
  });

  it('CreateCertificateFromCsr issues a certificate for the CSR key', async () => {
    const client = await claimClient('claim-2', 'plain');
    const keys = await generateKeyPairPem('ec-p256');
    const csr = await createCsrPem(keys, 'CN=csr-device');
    const answer = await request(client, '$aws/certificates/create-from-csr/json', {
      certificateSigningRequest: csr,
    });
    expect(answer.accepted).toBe(true);
    expect(Object.keys(answer.body).sort()).toEqual([
      'certificateId',
      'certificateOwnershipToken',
      'certificatePem',
    ]);
    const bad = await request(client, '$aws/certificates/create-from-csr/json', {
      certificateSigningRequest: 'nope',
    });
    expect(bad.body).toMatchObject({ statusCode: 400, errorCode: 'InvalidCsr' });
    await client.endAsync();
  });

  it('rejects with {statusCode, errorCode, errorMessage}: empty token, missing parameter', async () => {
    const client = await claimClient('claim-3', 'plain');
    const empty = await request(client, '$aws/provisioning-templates/plain/provision/json', {
      parameters: {},
    });
    expect(empty).toEqual({
      accepted: false,
      body: {
        statusCode: 400,
        errorCode: 'InvalidCertificateOwnershipToken',
        errorMessage: 'Certificate ownership token cannot be empty.',
      },
    });
    const keys = await request(client, '$aws/certificates/create/json', {});
    const missing = await request(client, '$aws/provisioning-templates/plain/provision/json', {
      certificateOwnershipToken: keys.body.certificateOwnershipToken,
      parameters: {},
    });
    expect(missing.body).toMatchObject({ statusCode: 400, errorCode: 'InvalidParameters' });
    expect(String(missing.body.errorMessage)).toContain('"SerialNumber"');
    await client.endAsync();
  });

  it("enforces the claim certificate's policy: another template's topic closes the connection", async () => {
    const client = await claimClient('claim-4', 'plain');
    const result = new Promise<boolean>((resolve) => client.once('close', () => resolve(true)));
    client.publish('$aws/provisioning-templates/hooked/provision/json', '{}', { qos: 1 });
    expect(await result).toBe(true);
    client.end(true);
  });
});

describe('pre-provisioning hook', () => {
  it('is called with the documented input and its parameterOverrides apply', async () => {
    const client = await claimClient('claim-5', 'hooked');
    const keys = await request(client, '$aws/certificates/create/json', {});
    const answer = await request(client, '$aws/provisioning-templates/hooked/provision/json', {
      certificateOwnershipToken: keys.body.certificateOwnershipToken,
      parameters: { SerialNumber: 'x' },
    });
    expect(answer.body).toMatchObject({ thingName: 'fleet-override-1' });
    expect(hookCalls[0]).toMatchObject({
      certificateId: keys.body.certificateId,
      templateArn: `${ARN}:provisioningtemplate/hooked`,
      clientId: 'claim-5',
      parameters: { SerialNumber: 'x' },
    });
    await client.endAsync();
  });

  it('a hook that refuses or is too slow gives ACCESS_DENIED', async () => {
    for (const name of ['denied', 'slow']) {
      const client = await claimClient(`claim-${name}`, name);
      const keys = await request(client, '$aws/certificates/create/json', {});
      const answer = await request(client, `$aws/provisioning-templates/${name}/provision/json`, {
        certificateOwnershipToken: keys.body.certificateOwnershipToken,
        parameters: { SerialNumber: name },
      });
      expect(answer.body).toMatchObject({ statusCode: 403, errorCode: 'AccessDenied' });
      expect(String(answer.body.errorMessage)).toMatch(name === 'slow' ? /within 300 ms/ : /did not allow/);
      await client.endAsync();
    }
  });
});

describe('template state and quotas', () => {
  it('a disabled template is refused with InvalidRequest', async () => {
    template('off');
    harness.registry.updateProvisioningTemplate('off', { enabled: false });
    const client = await claimClient('claim-off', 'off');
    const keys = await request(client, '$aws/certificates/create/json', {});
    const answer = await request(client, '$aws/provisioning-templates/off/provision/json', {
      certificateOwnershipToken: keys.body.certificateOwnershipToken,
      parameters: { SerialNumber: 'off' },
    });
    expect(answer.body).toMatchObject({ statusCode: 400, errorCode: 'InvalidRequest' });
    await client.endAsync();
  });

  it('over the fleet CreateKeysAndCertificate rate the request is rejected with Throttling', async () => {
    const limited = await Harness.start({ limits: { fleetCreateKeysAndCertificatePerSecond: 0.2 } });
    try {
      const claim = await limited.device('claim-rate', { policy: claimPolicy('plain'), thing: false });
      const client = await mustConnect(limited, claim);
      const first = await request(client, '$aws/certificates/create/json', {});
      const second = await request(client, '$aws/certificates/create/json', {});
      expect(first.accepted).toBe(true);
      expect(second).toEqual({
        accepted: false,
        body: { statusCode: 429, errorCode: 'Throttling', errorMessage: 'Rate exceeded' },
      });
      await client.endAsync();
    } finally {
      await limited.close();
    }
  });
});

describe('ownership tokens', () => {
  it('an unprovisioned certificate is deleted when its token expires, and cannot connect', async () => {
    const short = await Harness.start({ ownershipTokenTtlMs: 200 });
    try {
      short.registry.createPolicy('claim', claimPolicy('plain'));
      const claim = await short.device('claim-ttl', { policy: null, thing: false });
      short.registry.attachPolicy('claim', claim.certificateArn);
      const client = await mustConnect(short, claim);
      const keys = await request(client, '$aws/certificates/create/json', {});
      const certificateId = String(keys.body.certificateId);
      expect(short.registry.getCertificate(certificateId)).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(short.registry.getCertificate(certificateId)).toBeUndefined();
      await client.endAsync();
      const result = await connectDevice(short, {
        clientId: 'gone',
        certificatePem: String(keys.body.certificatePem),
        privateKeyPem: String(keys.body.privateKey),
      });
      expect(result.connected).toBe(false);
    } finally {
      await short.close();
    }
  });
});
