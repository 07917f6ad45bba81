import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import {
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  DescribeThingCommand,
  IoTClient,
  ListCertificatesCommand,
  ListThingPrincipalsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KryptonClient } from '../../../scenarios/lib/krypton-client.js';
import { InProcessRequestHandler } from '../../../src/emulator/control-plane/in-process-handler.js';
import { coHostedControlPlane } from '../../../src/emulator/control-plane/server.js';
import type { EmulatorOptions, RunningEmulator } from '../../../src/emulator/index.js';
import { DEFAULT_KRYPTON_POLICY } from '../../../src/emulator/krypton/embedded.js';
import { generateFleet } from '../../../src/sim/generate.js';
import { SimCard } from '../../../src/sim/sim-card.js';
import { hasSecrets, type SimWithSecrets } from '../../../src/sim/sim-record.js';
import { startKryptonTestEmulator } from '../../support/emulator.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Counts node:http client requests whose Host is `host` while `body` runs. */
async function httpRequestsTo(host: string, body: () => Promise<void>): Promise<number> {
  let count = 0;
  const onStart = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    if (request.getHeader('host') === host) count++;
  };
  subscribe('http.client.request.start', onStart);
  try {
    await body();
  } finally {
    unsubscribe('http.client.request.start', onStart);
  }
  return count;
}

/** The Krypton test emulator with three SIMs added over its admin route. */
async function startKryptonEmulator(options: EmulatorOptions) {
  const test = await startKryptonTestEmulator(options);
  const { emulator, krypton: harness } = test;
  const sims = generateFleet({ devices: 3, seed: 4242 }).filter(hasSecrets) as SimWithSecrets[];
  const added = await harness.send('/_emulator/sims', JSON.stringify(sims), {});
  expect(added.status).toBe(200);
  return { emulator, harness, sims, close: () => test.close() };
}

describe('Krypton co-hosted with the control plane: signed SDK requests skip the socket', () => {
  let emulator: RunningEmulator;
  let harness: KryptonClient;
  let sims: SimWithSecrets[];
  let close: (() => Promise<void>) | undefined;
  let controlPlaneHost: string;

  beforeAll(async () => {
    ({ emulator, harness, sims, close } = await startKryptonEmulator({ quotas: 'none' }));
    controlPlaneHost = new URL(emulator.controlPlaneUrl).host;
  });

  afterAll(async () => {
    await close?.();
  });

  it('bootstraps through the in-process handler: no HTTP request reaches the control plane', async () => {
    const sim = sims[0]!;
    const key = await harness.authenticate(new SimCard(sim));
    let result: Awaited<ReturnType<KryptonClient['bootstrap']>> | undefined;
    const requests = await httpRequestsTo(controlPlaneHost, async () => {
      result = await harness.bootstrap({}, key);
    });
    expect(requests).toBe(0);
    const iot = new IoTClient({ endpoint: emulator.controlPlaneUrl, region: emulator.region, credentials });
    try {
      const principals = await iot.send(new ListThingPrincipalsCommand({ thingName: result!.thingName }));
      expect(principals.principals).toEqual([
        `arn:aws:iot:${emulator.region}:${emulator.accountId}:cert/${result!.certificateId}`,
      ]);
    } finally {
      iot.destroy();
    }
  });

  it('a group whose endpoint is another URL, even for the same control plane, keeps HTTP', async () => {
    const port = new URL(emulator.controlPlaneUrl).port;
    const configured = await harness.send(
      '/_emulator/groups/krypton/configuration/SoracomKrypton',
      JSON.stringify({
        enabled: true,
        awsIot: {
          region: emulator.region,
          policyName: DEFAULT_KRYPTON_POLICY,
          thingNamePattern: 'over-http-$imsi',
          host: '127.0.0.1',
          endpoint: `http://localhost:${port}`,
        },
      }),
      {},
      'PUT',
    );
    expect(configured.status).toBe(200);
    const key = await harness.authenticate(new SimCard(sims[1]!));
    let thingName = '';
    const requests = await httpRequestsTo(`localhost:${port}`, async () => {
      thingName = (await harness.bootstrap({}, key)).thingName ?? '';
    });
    expect(thingName).toBe(`over-http-${sims[1]!.imsi}`);
    expect(requests).toBe(4);
  });

  it('hands the SDK AWS error responses it maps to its exception classes', async () => {
    const dispatcher = coHostedControlPlane(emulator.controlPlaneUrl);
    expect(dispatcher).toBeDefined();
    const iot = new IoTClient({
      endpoint: emulator.controlPlaneUrl,
      region: emulator.region,
      credentials,
      maxAttempts: 1,
      requestHandler: new InProcessRequestHandler(dispatcher!),
    });
    try {
      const existing = iot.send(
        new CreatePolicyCommand({ policyName: DEFAULT_KRYPTON_POLICY, policyDocument: '{}' }),
      );
      await expect(existing).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
      await expect(existing).rejects.toMatchObject({
        resourceId: DEFAULT_KRYPTON_POLICY,
        $metadata: { httpStatusCode: 409 },
      });
      await expect(iot.send(new DescribeThingCommand({ thingName: 'no:such_thing' }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    } finally {
      iot.destroy();
    }
    expect(coHostedControlPlane('http://127.0.0.1:1')).toBeUndefined();
  });
});

describe('Krypton co-hosted with a throttling control plane (AWS quotas, CreateKeysAndCertificate spent)', () => {
  let emulator: RunningEmulator;
  let harness: KryptonClient;
  let sims: SimWithSecrets[];
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ emulator, harness, sims, close } = await startKryptonEmulator({
      quotas: 'aws',
      // One token, refilled after 1000 s: the first call passes, every later one is throttled.
      quotaOverrides: { controlPlaneTps: { CreateKeysAndCertificate: 0.001 } },
    }));
  });

  afterAll(async () => {
    await close?.();
  });

  it('ThrottlingException reaches the SDK as its class, retryable; the device gets 429 and no certificate is left', async () => {
    const iot = new IoTClient({
      endpoint: emulator.controlPlaneUrl,
      region: emulator.region,
      credentials,
      maxAttempts: 2,
      retryMode: 'standard',
      requestHandler: new InProcessRequestHandler(coHostedControlPlane(emulator.controlPlaneUrl)!),
    });
    try {
      await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      const throttled = iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await expect(throttled).rejects.toBeInstanceOf(ThrottlingException);
      await expect(throttled).rejects.toMatchObject({ message: 'Rate exceeded', $metadata: { attempts: 2 } });
    } finally {
      iot.destroy();
    }
    const key = await harness.authenticate(new SimCard(sims[2]!));
    await expect(harness.bootstrap({}, key)).rejects.toMatchObject({
      status: 429,
      code: 'AWS_IOT_ERROR',
      message: expect.stringContaining('ThrottlingException'),
    });
    const overHttp = new IoTClient({
      endpoint: emulator.controlPlaneUrl,
      region: emulator.region,
      credentials,
    });
    try {
      const listed = await overHttp.send(new ListCertificatesCommand({}));
      expect(listed.certificates).toHaveLength(1);
    } finally {
      overHttp.destroy();
    }
  });
});
