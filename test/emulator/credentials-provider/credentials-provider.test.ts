import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleAliasCommand,
  CreateThingCommand,
  DescribeEndpointCommand,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsProviderListener } from '../../../src/emulator/credentials-provider/listener.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { describeWithTool } from '../../support/tools.js';

interface Answer {
  status: number;
  errorType?: string;
  body: Record<string, unknown>;
}

let test: TestEmulator;
let rootCa: string;
let device: { certificatePem: string; privateKeyPem: string; certificateArn: string };
const thingName = 'cam-1';
const aliasArn = (alias: string) => `arn:aws:iot:us-east-1:123456789012:rolealias/${alias}`;
const allow = (resource: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate', Resource: resource }],
  });

function fetchCredentials(
  alias: string,
  options: { thingName?: string; certificatePem?: string; privateKeyPem?: string } = {},
): Promise<Answer> {
  const url = new URL(`${test.emulator.credentialsProviderUrl}/role-aliases/${alias}/credentials`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'GET',
        ca: rootCa,
        cert: options.certificatePem ?? device.certificatePem,
        key: options.privateKeyPem ?? device.privateKeyPem,
        headers: options.thingName ? { 'x-amzn-iot-thingname': options.thingName } : {},
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            errorType: response.headers['x-amzn-errortype'] as string | undefined,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The status of a GET with the first device's certificate against another emulator. */
function statusOf(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca, cert: device.certificatePem, key: device.privateKeyPem, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [credentialsProviderListener], deviceKeyAlgorithm: 'ec-p256' });
  rootCa = await readFile(test.emulator.rootCaFile, 'utf8');
  const created = await test.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  device = {
    certificatePem: created.certificatePem!,
    privateKeyPem: created.keyPair!.PrivateKey!,
    certificateArn: created.certificateArn!,
  };
  await test.iot.send(new CreateThingCommand({ thingName }));
  await test.iot.send(new AttachThingPrincipalCommand({ thingName, principal: device.certificateArn }));
  await test.iot.send(
    new CreatePolicyCommand({ policyName: 'cam', policyDocument: allow(aliasArn('other')) }),
  );
  await test.iot.send(new AttachPolicyCommand({ policyName: 'cam', target: device.certificateArn }));
  await test.iot.send(
    new CreateRoleAliasCommand({
      roleAlias: 'uploads',
      roleArn: 'arn:aws:iam::123456789012:role/uploads',
      credentialDurationSeconds: 900,
    }),
  );
});

afterAll(async () => {
  await test?.close();
});

describe('credentials provider', () => {
  it('DescribeEndpoint iot:CredentialProvider names the host its server certificate carries', async () => {
    const { endpointAddress } = await test.iot.send(
      new DescribeEndpointCommand({ endpointType: 'iot:CredentialProvider' }),
    );
    expect(endpointAddress).toMatch(/^[0-9a-f]+\.credentials\.iot\.us-east-1\.amazonaws\.com$/);
    expect(test.emulator.credentialsProviderUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('403 Access Denied without iot:AssumeRoleWithCertificate on the alias; the new default version allows it', async () => {
    const denied = await fetchCredentials('uploads', { thingName });
    expect(denied).toEqual({
      status: 403,
      errorType: 'AccessDeniedException',
      body: { message: 'Access Denied' },
    });

    await test.iot.send(
      new CreatePolicyVersionCommand({
        policyName: 'cam',
        policyDocument: allow(aliasArn('uploads')),
        setAsDefault: true,
      }),
    );
    const started = Date.now();
    const granted = await fetchCredentials('uploads', { thingName });
    expect(granted.status).toBe(200);
    const credentials = granted.body.credentials as Record<string, string>;
    expect(Object.keys(credentials).sort()).toEqual([
      'accessKeyId',
      'expiration',
      'secretAccessKey',
      'sessionToken',
    ]);
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(credentials.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const lifetime = Date.parse(credentials.expiration!) - started;
    expect(lifetime).toBeGreaterThan(898_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);

    await test.iot.send(new SetDefaultPolicyVersionCommand({ policyName: 'cam', policyVersionId: '1' }));
    expect((await fetchCredentials('uploads')).status).toBe(403);
    await test.iot.send(new SetDefaultPolicyVersionCommand({ policyName: 'cam', policyVersionId: '2' }));
  });

  it('403 Invalid thing name passed for a thing not attached to the certificate', async () => {
    await test.iot.send(new CreateThingCommand({ thingName: 'someone-else' }));
    for (const name of ['someone-else', 'no-such-thing']) {
      expect(await fetchCredentials('uploads', { thingName: name })).toEqual({
        status: 403,
        errorType: 'AccessDeniedException',
        body: { message: 'Invalid thing name passed' },
      });
    }
    expect((await fetchCredentials('uploads')).status).toBe(200);
  });

  it('404 Role alias does not exist when the policy allows it but no alias has that name', async () => {
    await test.iot.send(
      new CreatePolicyCommand({ policyName: 'any-alias', policyDocument: allow(aliasArn('*')) }),
    );
    await test.iot.send(new AttachPolicyCommand({ policyName: 'any-alias', target: device.certificateArn }));
    expect(await fetchCredentials('missing')).toEqual({
      status: 404,
      errorType: 'ResourceNotFoundException',
      body: { message: 'Role alias does not exist' },
    });
  });

  it('certificate policy variables resolve; thing variables do not (MQTT only)', async () => {
    const { certificateArn, certificatePem, keyPair } = await test.iot.send(
      new CreateKeysAndCertificateCommand({ setAsActive: true }),
    );
    await test.iot.send(new CreateThingCommand({ thingName: 'cam-2' }));
    await test.iot.send(new AttachThingPrincipalCommand({ thingName: 'cam-2', principal: certificateArn }));
    const commonName = new X509Certificate(certificatePem!).subject.match(/CN=(.+)/)?.[1];
    expect(commonName).toBeDefined();
    const statement = (condition: Record<string, unknown>) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iot:AssumeRoleWithCertificate',
            Resource: aliasArn('uploads'),
            Condition: condition,
          },
        ],
      });
    await test.iot.send(
      new CreatePolicyCommand({
        policyName: 'by-thing',
        policyDocument: statement({ StringEquals: { 'iot:Connection.Thing.ThingName': 'cam-2' } }),
      }),
    );
    await test.iot.send(new AttachPolicyCommand({ policyName: 'by-thing', target: certificateArn }));
    const second = {
      certificatePem: certificatePem!,
      privateKeyPem: keyPair!.PrivateKey!,
      thingName: 'cam-2',
    };
    expect((await fetchCredentials('uploads', second)).body).toEqual({ message: 'Access Denied' });

    await test.iot.send(
      new CreatePolicyCommand({
        policyName: 'by-subject',
        policyDocument: statement({ StringEquals: { 'iot:Certificate.Subject.CommonName': commonName } }),
      }),
    );
    await test.iot.send(new AttachPolicyCommand({ policyName: 'by-subject', target: certificateArn }));
    expect((await fetchCredentials('uploads', second)).status).toBe(200);
  });

  it('429 ThrottlingException over the AssumeRoleWithCertificate quota', async () => {
    const limited = await startTestEmulator({
      listeners: [credentialsProviderListener],
      deviceKeyAlgorithm: 'ec-p256',
      quotas: 'aws',
      // One request, then a token every 1000 s: the second request cannot find one.
      quotaOverrides: { limits: { assumeRoleWithCertificatePerSecond: 0.001 } },
    });
    try {
      const url = `${limited.emulator.credentialsProviderUrl}/role-aliases/uploads/credentials`;
      const answers: number[] = [];
      for (let attempt = 0; attempt < 2; attempt += 1) {
        answers.push(await statusOf(url, await readFile(limited.emulator.rootCaFile, 'utf8')));
      }
      expect(answers).toEqual([403, 429]);
    } finally {
      await limited.close();
    }
  });

  it('403 for a certificate AWS IoT does not know', async () => {
    // Signed by the emulator's CA, never registered with AWS IoT.
    const stranger = await test.emulator.pki.issueServerCertificate(['stranger']);
    const answer = await fetchCredentials('uploads', {
      certificatePem: stranger.chainPem,
      privateKeyPem: stranger.privateKeyPem,
    });
    expect(answer).toEqual({
      status: 403,
      errorType: 'AccessDeniedException',
      body: { message: 'Certificate is invalid on this endpoint' },
    });
  });
});

describeWithTool('curl', 'the credentials provider with curl as the device', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-credentials-'));
    await writeFile(join(dir, 'device.pem'), device.certificatePem);
    await writeFile(join(dir, 'device.key'), device.privateKeyPem, { mode: 0o600 });
    await chmod(join(dir, 'device.key'), 0o600);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('curl --cert/--key with x-amzn-iot-thingname gets credentials, checking the server against the emulator CA', async () => {
    // Asynchronous: the emulator answering curl runs in this process.
    const run = await promisify(execFile)(
      'curl',
      [
        '--silent',
        '--show-error',
        '--max-time',
        '20',
        '--cacert',
        test.emulator.rootCaFile,
        '--cert',
        join(dir, 'device.pem'),
        '--key',
        join(dir, 'device.key'),
        '-H',
        `x-amzn-iot-thingname: ${thingName}`,
        `${test.emulator.credentialsProviderUrl}/role-aliases/uploads/credentials`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(run.stderr).toBe('');
    const body = JSON.parse(run.stdout) as { credentials: Record<string, string> };
    expect(body.credentials.sessionToken?.length).toBeGreaterThan(100);
  });
});
