import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  DescribeThingCommand,
  GetRegistrationCodeCommand,
  ListThingsCommand,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector, LatencyModel, QuotaGate } from '../../../src/emulator/control-plane/index.js';
import { defaultQuotaTable } from '../../../src/quotas/aws-default-quotas.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'provbench-emulator-test-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('REST-JSON wire format', () => {
  let test: TestEmulator;
  beforeAll(async () => {
    test = await startTestEmulator({ listeners: [], deviceKeyAlgorithm: 'ec-p256' });
  });
  afterAll(async () => {
    await test?.close();
  });

  const raw = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${test.emulator.controlPlaneUrl}${path}`, { method, body, headers });

  it('answers bad input with AWS error encoding, never a 500', async () => {
    const cases: Array<[string, string, string | undefined, number, string]> = [
      ['POST', '/policies/p1', '{"policyDocument": ', 400, 'InvalidRequestException'],
      ['POST', '/policies/p1', '[1,2]', 400, 'InvalidRequestException'],
      ['POST', '/policies/p1', '{}', 400, 'InvalidRequestException'],
      ['GET', '/no/such/operation', undefined, 404, 'UnknownOperationException'],
      ['PATCH', '/certificates', undefined, 404, 'UnknownOperationException'],
      ['GET', '/things/%E0%A4%A', undefined, 400, 'InvalidRequestException'],
      ['GET', '/certificates?pageSize=999', undefined, 400, 'InvalidRequestException'],
      ['GET', '/certificates?marker=%%%', undefined, 400, 'InvalidRequestException'],
      [
        'POST',
        '/certificate/register',
        '{"certificatePem": "-----BEGIN CERTIFICATE-----\\nzz\\n-----END CERTIFICATE-----"}',
        400,
        'CertificateValidationException',
      ],
      [
        'PUT',
        `/certificates/${'a'.repeat(64)}?newStatus=SOMETHING`,
        undefined,
        400,
        'InvalidRequestException',
      ],
      ['PUT', '/things/t1/principals', undefined, 400, 'InvalidRequestException'],
    ];
    for (const [method, path, body, status, errorType] of cases) {
      const response = await raw(method, path, body, body ? { 'content-type': 'application/json' } : {});
      expect({ path, status: response.status }).toEqual({ path, status });
      expect(response.headers.get('x-amzn-errortype')).toBe(`${errorType}:`);
      const json = (await response.json()) as { message?: string };
      expect(json.message).toEqual(expect.any(String));
    }
  });

  it('sends timestamps as epoch seconds and ResourceAlreadyExists with resourceId and resourceArn', async () => {
    await raw('POST', '/things/wire-thing', '{"attributePayload":{"attributes":{"a":"1"}}}', {
      'content-type': 'application/json',
    });
    const conflict = await raw('POST', '/things/wire-thing', '{}', { 'content-type': 'application/json' });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({
      resourceArn: 'arn:aws:iot:us-east-1:123456789012:thing/wire-thing',
      resourceId: expect.any(String),
    });
    const created = (await (await raw('POST', '/keys-and-certificate')).json()) as { certificateId: string };
    const described = (await (await raw('GET', `/certificates/${created.certificateId}`)).json()) as {
      certificateDescription: { creationDate: unknown; validity: { notAfter: unknown } };
    };
    expect(typeof described.certificateDescription.creationDate).toBe('number');
    expect(described.certificateDescription.validity.notAfter).toBe(2524607999);
  });

  it('serves the CA bundle at /_emulator/root-ca.pem, the same as rootCaFile', async () => {
    const response = await raw('GET', '/_emulator/root-ca.pem');
    expect(response.status).toBe(200);
    const pem = await response.text();
    expect(pem).toBe(await readFile(test.emulator.rootCaFile, 'utf8'));
    expect(pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('handles concurrent identical and distinct CreateThing calls consistently', async () => {
    const same = await Promise.all(
      Array.from({ length: 20 }, () => test.iot.send(new CreateThingCommand({ thingName: 'concurrent' }))),
    );
    expect(new Set(same.map((result) => result.thingId)).size).toBe(1);
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        test.iot.send(new CreateThingCommand({ thingName: `parallel-${index}` })),
      ),
    );
    const listed = await test.iot.send(new ListThingsCommand({ attributeName: undefined }));
    expect(listed.things?.filter((thing) => thing.thingName?.startsWith('parallel-'))).toHaveLength(40);
  });
});

describe('quotas, latency and faults', () => {
  it('throttles with ThrottlingException "Rate exceeded" when a quota is spent', async () => {
    const quotaFile = join(workDir, 'quotas.json');
    await writeFile(quotaFile, JSON.stringify({ controlPlaneTps: { CreateThing: 0.001 } }));
    const test = await startTestEmulator({ listeners: [], quotas: 'aws', quotaFile, keyPoolSize: 0 });
    try {
      await test.iot.send(new CreateThingCommand({ thingName: 'first' }));
      const error = await test.iot
        .send(new CreateThingCommand({ thingName: 'second' }))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ThrottlingException);
      expect((error as ThrottlingException).message).toBe('Rate exceeded');
      expect((error as ThrottlingException).$metadata.httpStatusCode).toBe(400);
      expect(test.emulator.registry.getThing('second')).toBeUndefined();
      // Other operations have their own buckets.
      await test.iot.send(new DescribeThingCommand({ thingName: 'first' }));
      expect(test.emulator.quotaTable?.controlPlaneTps.CreateThing).toBe(0.001);
    } finally {
      await test.close();
    }
  });

  it('rejects a quota file with an unknown name, saying which', async () => {
    const quotaFile = join(workDir, 'bad-quotas.json');
    await writeFile(quotaFile, JSON.stringify({ controlPlaneTps: { CreateThingz: 5 } }));
    await expect(
      startTestEmulator({ quotas: 'aws', quotaFile, keyPoolSize: 0, listeners: [] }),
    ).rejects.toThrow(/CreateThingz/);
  });

  it('counts RegisterCertificate against the shared device-certificate registration bucket', () => {
    let now = 0;
    const table = defaultQuotaTable();
    table.controlPlaneTps.RegisterCertificate = 100;
    table.limits.deviceCertificateRegistrationsPerSecond = 2;
    const gate = new QuotaGate(table, () => now);
    expect([
      gate.admit('RegisterCertificate'),
      gate.admit('RegisterCertificate'),
      gate.admit('RegisterCertificate'),
    ]).toEqual([true, true, false]);
    expect(gate.admit('CreateThing')).toBe(true);
    now += 500;
    expect(gate.admit('RegisterCertificate')).toBe(true);
    expect(gate.admit('RegisterCertificate')).toBe(false);
  });

  it('injects the configured fault for one operation only', async () => {
    const test = await startTestEmulator({
      listeners: [],
      faults: { CreateThing: { rate: 1, error: 'ServiceUnavailableException' } },
      keyPoolSize: 0,
    });
    try {
      const error = await test.iot
        .send(new CreateThingCommand({ thingName: 'x' }))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ServiceUnavailableException);
      expect((error as ServiceUnavailableException).$metadata.httpStatusCode).toBe(503);
      expect(test.emulator.registry.getThing('x')).toBeUndefined();
      await test.iot.send(new DescribeEndpointCommand({}));
    } finally {
      await test.close();
    }
    await expect(
      startTestEmulator({ faults: { CreateThing: { rate: 2 } }, keyPoolSize: 0, listeners: [] }),
    ).rejects.toThrow(/rate/);
  });

  it('samples latency from the configured distribution', () => {
    const sequence = [0.5, 0.25, 0.75];
    let index = 0;
    const random = () => sequence[index++ % sequence.length]!;
    const model = new LatencyModel(
      {
        '*': { distribution: 'fixed', ms: 7 },
        CreateThing: { distribution: 'uniform', minMs: 10, maxMs: 20 },
      },
      random,
    );
    expect(model.sample('DescribeThing')).toBe(7);
    expect(model.sample('CreateThing')).toBe(15);
    const lognormal = new LatencyModel({ '*': { distribution: 'lognormal', medianMs: 30, p99Ms: 300 } });
    const samples = Array.from({ length: 2000 }, () => lognormal.sample('X')).sort((a, b) => a - b);
    expect(samples[1000]).toBeGreaterThan(20);
    expect(samples[1000]).toBeLessThan(45);
    expect(
      new FaultInjector({ '*': { rate: 0, error: 'InternalFailureException' } }).pick('X'),
    ).toBeUndefined();
  });
});

describe('startEmulator', () => {
  it('keeps state across a restart on the same state dir', async () => {
    const stateDir = join(workDir, 'state');
    const first = await startTestEmulator({ listeners: [], stateDir, deviceKeyAlgorithm: 'ec-p256' });
    let certificateId: string;
    let endpoint: string | undefined;
    let code: string | undefined;
    let bundle: string;
    try {
      await first.iot.send(
        new CreateThingCommand({ thingName: 'survivor', attributePayload: { attributes: { k: 'v' } } }),
      );
      certificateId = (await first.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true })))
        .certificateId!;
      endpoint = (await first.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })))
        .endpointAddress;
      code = (await first.iot.send(new GetRegistrationCodeCommand({}))).registrationCode;
      bundle = first.emulator.pki.bundlePem;
    } finally {
      await first.close();
    }
    const second = await startTestEmulator({ listeners: [], stateDir, deviceKeyAlgorithm: 'ec-p256' });
    try {
      expect((await second.iot.send(new DescribeThingCommand({ thingName: 'survivor' }))).attributes).toEqual(
        { k: 'v' },
      );
      const described = await second.iot.send(new DescribeCertificateCommand({ certificateId }));
      expect(described.certificateDescription?.status).toBe('ACTIVE');
      expect(
        (await second.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })))
          .endpointAddress,
      ).toBe(endpoint);
      expect((await second.iot.send(new GetRegistrationCodeCommand({}))).registrationCode).toBe(code);
      expect(second.emulator.pki.bundlePem).toBe(bundle);
      await second.iot.send(new CreateThingCommand({ thingName: 'after-restart' }));
      const listed = await second.iot.send(new ListThingsCommand({}));
      expect(listed.things?.map((thing) => thing.thingName)).toEqual(['survivor', 'after-restart']);
    } finally {
      await second.close();
    }
  });

  it('--save-state on-exit writes the registry when the emulator closes, not while it serves', async () => {
    const stateDir = join(workDir, 'state-on-exit');
    const first = await startTestEmulator({ listeners: [], stateDir, saveState: 'on-exit' });
    try {
      await first.iot.send(new CreateThingCommand({ thingName: 'kept-at-exit' }));
      // The default saves 200 ms after a change; on-exit must not have saved after twice that.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(existsSync(join(stateDir, 'registry.json'))).toBe(false);
    } finally {
      await first.close();
    }
    expect(existsSync(join(stateDir, 'registry.json'))).toBe(true);
    const second = await startTestEmulator({ listeners: [], stateDir });
    try {
      const listed = await second.iot.send(new ListThingsCommand({}));
      expect(listed.things?.map((thing) => thing.thingName)).toEqual(['kept-at-exit']);
    } finally {
      await second.close();
    }
  });

  it('starts plug-in listeners after the control plane and names them in the ready file', async () => {
    const readyFile = join(workDir, 'ready.json');
    let closed = false;
    const test = await startTestEmulator({
      keyPoolSize: 0,
      readyFile,
      listeners: [
        async (context) => {
          expect(context.registry).toBeDefined();
          expect(context.quotaGate).toBeUndefined();
          expect((await fetch(`${context.controlPlaneUrl}/_emulator/root-ca.pem`)).status).toBe(200);
          return {
            name: 'fake-mqtt',
            mqtt: { host: '127.0.0.1', port: 18883 },
            kryptonUrl: 'http://127.0.0.1:18080',
            credentialsProviderUrl: 'https://127.0.0.1:18443',
            close: async () => {
              closed = true;
            },
          };
        },
      ],
    });
    const ready = JSON.parse(await readFile(readyFile, 'utf8'));
    expect(ready).toEqual({
      controlPlaneUrl: test.emulator.controlPlaneUrl,
      region: 'us-east-1',
      accountId: '123456789012',
      mqttHost: '127.0.0.1',
      mqttPort: 18883,
      kryptonUrl: 'http://127.0.0.1:18080',
      credentialsProviderUrl: 'https://127.0.0.1:18443',
      rootCaFile: test.emulator.rootCaFile,
    });
    await test.close();
    expect(closed).toBe(true);
  });

  it('provbench emulator writes the ready file and stops on SIGTERM', async () => {
    const readyFile = join(workDir, 'cli-ready.json');
    const child = spawn(
      process.execPath,
      ['bin/provbench.js', 'emulator', '--ready-file', readyFile, '--quotas', 'none', '--key-pool', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const ready = await new Promise<{
        controlPlaneUrl: string;
        mqttPort: unknown;
        kryptonUrl: unknown;
        credentialsProviderUrl: unknown;
      }>((resolve, reject) => {
        const poll = setInterval(async () => {
          try {
            resolve(JSON.parse(await readFile(readyFile, 'utf8')));
            clearInterval(poll);
          } catch {
            // not written yet
          }
        }, 100);
        child.once('exit', (code) => {
          clearInterval(poll);
          reject(new Error(`emulator exited early with code ${code}`));
        });
      });
      // Every built-in listener is up: the data plane, the Krypton service and the credentials provider name their endpoints.
      expect(ready.mqttPort).toEqual(expect.any(Number));
      expect(ready.kryptonUrl).toMatch(/^https?:\/\/127\.0\.0\.1:\d+/);
      expect(ready.credentialsProviderUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${ready.controlPlaneUrl}/endpoint?endpointType=iot%3AData-ATS`);
      expect(response.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
