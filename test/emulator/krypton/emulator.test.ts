import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeCertificateCommand,
  type IoTClient,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootstrapResponse, KryptonClient } from '../../../scenarios/lib/krypton-client.js';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { DEFAULT_KRYPTON_POLICY } from '../../../src/emulator/krypton/embedded.js';
import { generateFleet } from '../../../src/sim/generate.js';
import { SimCard } from '../../../src/sim/sim-card.js';
import { hasSecrets, type SimWithSecrets } from '../../../src/sim/sim-record.js';
import { type KryptonTestEmulator, startKryptonTestEmulator } from '../../support/emulator.js';

describe('Krypton in the embedded emulator (--fleet, kryptonUrl, provisioning through its control plane)', () => {
  let dir: string;
  let test: KryptonTestEmulator;
  let emulator: RunningEmulator;
  let iot: IoTClient;
  let harness: KryptonClient;
  const sims = generateFleet({ devices: 3, seed: 77 }).filter(hasSecrets) as SimWithSecrets[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-krypton-emulator-'));
    test = await startKryptonTestEmulator({ sims, readyFile: join(dir, 'ready.json') });
    ({ emulator, iot, krypton: harness } = test);
  });

  afterAll(async () => {
    await test?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function expectProvisioned(result: BootstrapResponse, imsi: string): Promise<void> {
    expect(result.clientId).toBe(`krypton-${imsi}`);
    expect(result.host).toBe('127.0.0.1');
    expect(result.region).toBe(emulator.region);
    expect(result.rootCaCertificate).toBe(emulator.pki.bundlePem);
    const certificate = new X509Certificate(result.certificate!);
    expect(createPublicKey(result.privateKey).asymmetricKeyType).toBe('ec');
    expect(certificate.checkPrivateKey(createPrivateKey(result.privateKey))).toBe(true);
    const described = await iot.send(
      new DescribeCertificateCommand({ certificateId: result.certificateId! }),
    );
    expect(described.certificateDescription?.status).toBe('ACTIVE');
    const arn = described.certificateDescription!.certificateArn!;
    const principals = await iot.send(new ListThingPrincipalsCommand({ thingName: result.clientId }));
    expect(principals.principals).toContain(arn);
    const policies = await iot.send(new ListAttachedPoliciesCommand({ target: arn }));
    expect(policies.policies?.map((policy) => policy.policyName)).toEqual([DEFAULT_KRYPTON_POLICY]);
  }

  it('names kryptonUrl in the ready file', async () => {
    const ready = JSON.parse(await readFile(join(dir, 'ready.json'), 'utf8')) as { kryptonUrl: string };
    expect(ready.kryptonUrl).toBe(emulator.kryptonUrl);
    expect(ready.kryptonUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('bootstraps a fleet SIM over its cellular session', async () => {
    const sim = sims[0]!;
    const attached = await harness.send(`/_emulator/sims/${sim.imsi}/attach`, '', {});
    const { address } = JSON.parse(attached.body.toString()) as { address: string };
    const device = new KryptonClient({
      baseUrl: emulator.kryptonUrl!,
      ca: emulator.pki.bundlePem,
      localAddress: address,
    });
    try {
      await expectProvisioned(await device.bootstrap(), sim.imsi);
    } finally {
      device.close();
    }
  });

  it('bootstraps a fleet SIM with SIM authentication from a non-cellular address', async () => {
    const sim = sims[1]!;
    const key = await harness.authenticate(new SimCard(sim));
    await expectProvisioned(await harness.bootstrap({}, key), sim.imsi);
  });
});

describe('Krypton bootstrap failing midway against the embedded control plane (fault injection)', () => {
  async function withEmulator(
    faults: Record<string, { rate: number; error: 'InvalidRequestException' }>,
    body: (emulator: RunningEmulator, iot: IoTClient, device: KryptonClient) => Promise<void>,
  ): Promise<void> {
    const test = await startKryptonTestEmulator({ faults });
    const { emulator, iot, krypton: harness } = test;
    try {
      const sims = generateFleet({ devices: 1, seed: 5150 });
      await harness.send('/_emulator/sims', JSON.stringify(sims), {});
      const key = await harness.authenticate(new SimCard(sims[0] as SimWithSecrets));
      const device = new KryptonClient({ baseUrl: emulator.kryptonUrl!, ca: emulator.pki.bundlePem });
      try {
        await expect(device.bootstrap({}, key)).rejects.toMatchObject({ status: 502, code: 'AWS_IOT_ERROR' });
        await body(emulator, iot, harness);
      } finally {
        device.close();
      }
    } finally {
      await test.close();
    }
  }

  it('AttachThingPrincipal fails: the certificate is detached and deleted, nothing is orphaned', async () => {
    await withEmulator(
      { AttachThingPrincipal: { rate: 1, error: 'InvalidRequestException' } },
      async (_, iot, harness) => {
        const listed = await iot.send(new ListCertificatesCommand({}));
        expect(listed.certificates ?? []).toEqual([]);
        const orphans = await harness.send('/_emulator/krypton/orphans', '', {}, 'GET');
        expect(JSON.parse(orphans.body.toString())).toEqual({ orphans: [] });
      },
    );
  });

  it('the rollback fails too: the certificate is recorded as an orphan for cleanup', async () => {
    await withEmulator(
      {
        AttachThingPrincipal: { rate: 1, error: 'InvalidRequestException' },
        DeleteCertificate: { rate: 1, error: 'InvalidRequestException' },
      },
      async (_, iot, harness) => {
        const listed = await iot.send(new ListCertificatesCommand({}));
        expect(listed.certificates).toHaveLength(1);
        const orphans = await harness.send('/_emulator/krypton/orphans', '', {}, 'GET');
        const { orphans: recorded } = JSON.parse(orphans.body.toString()) as {
          orphans: Array<{ certificateId: string; reason: string }>;
        };
        expect(recorded.map((orphan) => orphan.certificateId)).toEqual([
          listed.certificates![0]!.certificateId,
        ]);
        expect(recorded[0]!.reason).toMatch(/AttachThingPrincipal.*rollback failed/);
      },
    );
  });
});
