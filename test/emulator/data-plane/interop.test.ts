import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateProvisioningClaimCommand,
  CreateProvisioningTemplateCommand,
  CreateThingCommand,
  DescribeEndpointCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARN,
  closed,
  devicePolicy,
  type MqttTarget,
  mustConnect,
  nextMessage,
} from '../../support/data-plane.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { describeWithTool } from '../../support/tools.js';

let test: TestEmulator;
let dir: string;
const fleetTemplate = JSON.stringify({
  Parameters: { SerialNumber: { Type: 'String' }, 'AWS::IoT::Certificate::Id': { Type: 'String' } },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: { ThingName: { 'Fn::Join': ['-', ['sdk', { Ref: 'SerialNumber' }]] } },
    },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
    },
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'interop-device' } },
  },
  DeviceConfiguration: { greeting: 'hello' },
});

/** A device made through the control plane with the AWS SDK, as the pre-issued scenario does. */
async function sdkDevice(thingName: string) {
  const keys = await test.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  await test.iot.send(new CreateThingCommand({ thingName }));
  await test.iot.send(new AttachPolicyCommand({ policyName: 'interop-device', target: keys.certificateArn }));
  await test.iot.send(new AttachThingPrincipalCommand({ thingName, principal: keys.certificateArn }));
  return {
    clientId: thingName,
    certificateId: keys.certificateId ?? '',
    certificatePem: keys.certificatePem ?? '',
    privateKeyPem: keys.keyPair?.PrivateKey ?? '',
  };
}

function target(): MqttTarget {
  return {
    url: () => `mqtts://${test.emulator.mqttHost}:${test.emulator.mqttPort}`,
    caPem: test.emulator.pki.bundlePem,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'provbench-interop-'));
  test = await startTestEmulator({
    deviceKeyAlgorithm: 'ec-p256',
    keyPoolSize: 2,
    readyFile: join(dir, 'ready.json'),
  });
  await test.iot.send(
    new CreatePolicyCommand({ policyName: 'interop-device', policyDocument: devicePolicy }),
  );
  await test.iot.send(
    new CreatePolicyCommand({
      policyName: 'interop-admin',
      policyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }),
    }),
  );
  await test.iot.send(
    new CreateProvisioningTemplateCommand({
      templateName: 'sdk-fleet',
      templateBody: fleetTemplate,
      enabled: true,
      provisioningRoleArn: `${ARN}:role/provisioning`,
    }),
  );
});
afterAll(async () => {
  await test?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('through startEmulator and @aws-sdk/client-iot', () => {
  it('the ready file names the MQTT endpoint; the server certificate is valid for the DescribeEndpoint host', async () => {
    const { readFile } = await import('node:fs/promises');
    const ready = JSON.parse(await readFile(join(dir, 'ready.json'), 'utf8'));
    expect(ready.mqttHost).toBe('127.0.0.1');
    expect(ready.mqttPort).toBe(test.emulator.mqttPort);
    const { endpointAddress } = await test.iot.send(
      new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }),
    );
    const device = await sdkDevice('interop-sni');
    const client = await mustConnect(target(), device, { servername: endpointAddress });
    await client.endAsync();
  });

  it('UpdateCertificate INACTIVE through the SDK disconnects the live connection', async () => {
    const device = await sdkDevice('interop-revoke');
    const client = await mustConnect(target(), device);
    const wasClosed = closed(client);
    await test.iot.send(
      new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'INACTIVE' }),
    );
    expect(await wasClosed).toBe(true);
    client.end(true);
  });
});

function run(
  command: string,
  args: string[],
  ms = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** An all-allowed MQTT client to watch and drive topics. */
async function adminClient(clientId: string) {
  const keys = await test.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  await test.iot.send(new AttachPolicyCommand({ policyName: 'interop-admin', target: keys.certificateArn }));
  return mustConnect(target(), {
    clientId,
    certificatePem: keys.certificatePem ?? '',
    privateKeyPem: keys.keyPair?.PrivateKey ?? '',
  });
}

describeWithTool(
  'mosquitto_pub',
  'mosquitto clients (Debian mosquitto-clients) with a device certificate',
  () => {
    it('mosquitto_pub and mosquitto_sub work within the thing policy; a topic outside it is refused', async () => {
      const device = await sdkDevice('mosquitto-dev');
      const files = { cert: join(dir, 'mosq.crt'), key: join(dir, 'mosq.key'), ca: join(dir, 'ca.pem') };
      await writeFile(files.cert, device.certificatePem);
      await writeFile(files.key, device.privateKeyPem, { mode: 0o600 });
      await writeFile(files.ca, test.emulator.pki.bundlePem);
      const common = ['-h', '127.0.0.1', '-p', String(test.emulator.mqttPort), '--cafile', files.ca];
      const identity = ['--cert', files.cert, '--key', files.key, '-V', 'mqttv311', '-i', 'mosquitto-dev'];
      const admin = await adminClient('mosquitto-admin');
      await admin.subscribeAsync('things/mosquitto-dev/#', { qos: 1 });

      const received = nextMessage(admin, 'things/mosquitto-dev/out', 10_000);
      const pub = await run('mosquitto_pub', [
        ...common,
        ...identity,
        '-t',
        'things/mosquitto-dev/out',
        '-m',
        'from-mosquitto',
        '-q',
        '1',
      ]);
      expect(pub.code, pub.stderr).toBe(0);
      expect((await received)?.toString()).toBe('from-mosquitto');

      const sub = run('mosquitto_sub', [
        ...common,
        ...identity,
        '-t',
        'things/mosquitto-dev/in',
        '-C',
        '1',
        '-W',
        '15',
      ]);
      let done = false;
      void sub.then(() => {
        done = true;
      });
      for (let i = 0; i < 100 && !done; i += 1) {
        await admin.publishAsync('things/mosquitto-dev/in', 'to-mosquitto', { qos: 1 });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const subResult = await sub;
      expect(subResult.code, subResult.stderr).toBe(0);
      expect(subResult.stdout.trim()).toBe('to-mosquitto');

      const refused = await run('mosquitto_pub', [
        ...common,
        ...identity,
        '-t',
        'elsewhere/x',
        '-m',
        'x',
        '-q',
        '1',
      ]);
      expect(refused.code).not.toBe(0);

      const stranger = await run('mosquitto_pub', [
        ...common,
        '-V',
        'mqttv311',
        '-i',
        'no-cert',
        '-t',
        't',
        '-m',
        'x',
      ]);
      expect(stranger.code).not.toBe(0);
      await admin.endAsync();
    });

    it('mosquitto_pub -V mqttv5: a publish within the policy is delivered; outside it PUBACK 0x87; a foreign client ID gets CONNACK 0x87', async () => {
      const device = await sdkDevice('mosquitto-v5');
      const files = { cert: join(dir, 'mosq5.crt'), key: join(dir, 'mosq5.key'), ca: join(dir, 'ca5.pem') };
      await writeFile(files.cert, device.certificatePem);
      await writeFile(files.key, device.privateKeyPem, { mode: 0o600 });
      await writeFile(files.ca, test.emulator.pki.bundlePem);
      const common = ['-h', '127.0.0.1', '-p', String(test.emulator.mqttPort), '--cafile', files.ca];
      const identity = ['--cert', files.cert, '--key', files.key, '-V', 'mqttv5'];
      const admin = await adminClient('mosquitto-v5-admin');
      await admin.subscribeAsync('things/mosquitto-v5/#', { qos: 1 });
      const publish = (clientId: string, topic: string) =>
        run('mosquitto_pub', [
          ...common,
          ...identity,
          '-i',
          clientId,
          '-t',
          topic,
          '-m',
          'from-v5',
          '-q',
          '1',
        ]);

      const received = nextMessage(admin, 'things/mosquitto-v5/out', 10_000);
      const accepted = await publish('mosquitto-v5', 'things/mosquitto-v5/out');
      expect(accepted.code, accepted.stderr).toBe(0);
      expect((await received)?.toString()).toBe('from-v5');

      const denied = await publish('mosquitto-v5', 'elsewhere/x');
      expect(`${denied.stdout}${denied.stderr}`).toMatch(/not authori[sz]ed/i);

      const foreign = await publish('not-my-thing', 'things/not-my-thing/out');
      expect(foreign.code).not.toBe(0);
      expect(`${foreign.stdout}${foreign.stderr}`).toMatch(/not authori[sz]ed/i);
      await admin.endAsync();
    });

    it('QoS 2: mosquitto_pub (3.1.1 and 5) never gets its publish acknowledged, and nothing is delivered', async () => {
      const device = await sdkDevice('mosquitto-qos2');
      const files = { cert: join(dir, 'q2.crt'), key: join(dir, 'q2.key'), ca: join(dir, 'q2-ca.pem') };
      await writeFile(files.cert, device.certificatePem);
      await writeFile(files.key, device.privateKeyPem, { mode: 0o600 });
      await writeFile(files.ca, test.emulator.pki.bundlePem);
      const admin = await adminClient('mosquitto-qos2-admin');
      await admin.subscribeAsync('things/mosquitto-qos2/#', { qos: 1 });
      let delivered = 0;
      admin.on('message', () => {
        delivered += 1;
      });
      const publish = (version: string) =>
        run('mosquitto_pub', [
          ...['-h', '127.0.0.1', '-p', String(test.emulator.mqttPort), '--cafile', files.ca],
          ...['--cert', files.cert, '--key', files.key, '-V', version, '-i', 'mosquitto-qos2'],
          ...['-t', 'things/mosquitto-qos2/out', '-m', 'exactly-once', '-q', '2'],
        ]);
      const v311 = await publish('mqttv311');
      expect(v311.code).not.toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // one CONNECT per second per client ID
      const v5 = await publish('mqttv5');
      expect(`${v5.stdout}${v5.stderr}`).toMatch(/QoS not supported/i);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(delivered).toBe(0);
      await admin.endAsync();
    });
  },
);

describe('AWS IoT Device SDK v2 (aws-crt) identity client', () => {
  it('completes fleet provisioning with a CreateProvisioningClaim certificate, then connects with its own certificate', async () => {
    const { iot, iotidentity, mqtt } = await import('aws-iot-device-sdk-v2');
    const claim = await test.iot.send(new CreateProvisioningClaimCommand({ templateName: 'sdk-fleet' }));
    const connectWith = async (certificatePem: string, privateKeyPem: string, clientId: string) => {
      const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(certificatePem, privateKeyPem)
        .with_certificate_authority(test.emulator.pki.bundlePem)
        .with_endpoint('127.0.0.1')
        .with_port(test.emulator.mqttPort ?? 0)
        .with_client_id(clientId)
        .with_clean_session(true)
        .build();
      const connection = new mqtt.MqttClient().new_connection(config);
      await connection.connect();
      return connection;
    };
    const claimConnection = await connectWith(
      claim.certificatePem ?? '',
      claim.keyPair?.PrivateKey ?? '',
      'sdk-claim',
    );
    const identity = iotidentity.IotIdentityClientv2.newFromMqtt311(claimConnection, {
      maxRequestResponseSubscriptions: 4,
      maxStreamingSubscriptions: 2,
      operationTimeoutInSeconds: 10,
    });
    try {
      const keys = await identity.createKeysAndCertificate({});
      expect(keys.certificateId).toMatch(/^[0-9a-f]{64}$/);
      const registered = await identity.registerThing({
        templateName: 'sdk-fleet',
        certificateOwnershipToken: keys.certificateOwnershipToken ?? '',
        parameters: { SerialNumber: '777' },
      });
      expect(registered).toMatchObject({ thingName: 'sdk-777', deviceConfiguration: { greeting: 'hello' } });
      identity.close();
      await claimConnection.disconnect();

      const own = await connectWith(keys.certificatePem ?? '', keys.privateKey ?? '', 'sdk-777');
      await own.publish('things/sdk-777/hello', 'hi', mqtt.QoS.AtLeastOnce);
      await own.disconnect();
    } finally {
      identity.close();
    }
  });
});
