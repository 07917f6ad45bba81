import { createPublicKey, X509Certificate } from 'node:crypto';
import {
  CreatePolicyCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KryptonApiError, KryptonClient } from '../../../scenarios/lib/krypton-client.js';
import { type KryptonServer, startKryptonServer } from '../../../src/emulator/krypton/server.js';
import { EmulatorPki } from '../../../src/pki/emulator-pki.js';
import { generateFleet } from '../../../src/sim/generate.js';
import { signKryptonRequest } from '../../../src/sim/krypton-signature.js';
import { SimCard } from '../../../src/sim/sim-card.js';
import { hasSecrets, type SimWithSecrets } from '../../../src/sim/sim-record.js';
import { type MotoServer, startMoto } from '../../support/moto.js';
import { describeWithTool } from '../../support/tools.js';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'krypton-test', secretAccessKey: 'krypton-test' };
const POLICY = 'krypton-devices';

function secretSims(count: number, seed: number, group = 'krypton'): SimWithSecrets[] {
  return generateFleet({ devices: count, seed, group }).filter(hasSecrets);
}

describeWithTool(
  'moto_server',
  'Krypton-compatible service against an independent AWS IoT control plane (moto)',
  () => {
    let moto: MotoServer;
    let pki: EmulatorPki;
    let server: KryptonServer;
    let iot: IoTClient;
    let harness: KryptonClient;
    const sims = secretSims(8, 101);
    const [disabledSim] = secretSims(1, 102, 'no-krypton');
    const [brokenSim] = secretSims(1, 103, 'broken');
    const [bareSim] = secretSims(1, 104, 'bare');

    async function certificateCount(): Promise<number> {
      const listed = await iot.send(new ListCertificatesCommand({ pageSize: 250 }));
      return listed.certificates?.length ?? 0;
    }

    async function attach(imsi: string): Promise<string> {
      const response = await fetch(`${server.url}/_emulator/sims/${imsi}/attach`, { method: 'POST' }).catch(
        () => undefined,
      );
      if (response) throw new Error('the admin API must not be reachable without the emulator CA');
      const result = await harness.send(`/_emulator/sims/${imsi}/attach`, '', {});
      expect(result.status).toBe(200);
      return (JSON.parse(result.body.toString()) as { address: string }).address;
    }

    function cellularDevice(address: string): KryptonClient {
      return new KryptonClient({ baseUrl: server.url, ca: pki.bundlePem, localAddress: address });
    }

    async function expectApiError(promise: Promise<unknown>, status: number, code: string): Promise<void> {
      const error = await promise.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(KryptonApiError);
      expect({ status: (error as KryptonApiError).status, code: (error as KryptonApiError).code }).toEqual({
        status,
        code,
      });
    }

    beforeAll(async () => {
      [moto, pki] = await Promise.all([startMoto(), EmulatorPki.open({ keyPoolSize: 0 })]);
      iot = new IoTClient({ endpoint: moto.url, region: REGION, credentials: CREDENTIALS });
      await iot.send(
        new CreatePolicyCommand({
          policyName: POLICY,
          policyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }],
          }),
        }),
      );
      const tls = await pki.issueServerCertificate(['127.0.0.1', 'localhost']);
      const awsIot = {
        region: REGION,
        policyName: POLICY,
        thingNamePattern: 'krypton-$imsi',
        host: 'iot.example.test',
      };
      server = await startKryptonServer({
        tls: { key: tls.privateKeyPem, cert: tls.chainPem },
        rootCaPem: pki.bundlePem,
        sims: [...sims, disabledSim!, brokenSim!, bareSim!],
        groups: {
          krypton: { enabled: true, awsIot, userdata: 'hello devices' },
          'no-krypton': { enabled: false, awsIot },
          broken: { enabled: true, awsIot: { ...awsIot, policyName: 'no-such-policy' } },
          bare: { enabled: true },
        },
        provisioner: { endpoint: moto.url, credentials: CREDENTIALS },
      });
      harness = new KryptonClient({ baseUrl: server.url, ca: pki.bundlePem });
    });

    afterAll(async () => {
      harness?.close();
      iot?.destroy();
      await server?.close();
      await Promise.all([moto?.close(), pki?.close()]);
    });

    it('bootstraps a SIM over its cellular session and leaves a working Thing/cert/policy in AWS IoT', async () => {
      const sim = sims[0]!;
      const device = cellularDevice(await attach(sim.imsi));
      try {
        const result = await device.bootstrap();
        expect(result).toMatchObject({
          region: REGION,
          host: 'iot.example.test',
          clientId: `krypton-${sim.imsi}`,
        });
        expect(result.rootCaCertificate).toBe(pki.bundlePem);
        const certificate = new X509Certificate(result.certificate!);
        expect(
          certificate.publicKey
            .export({ type: 'spki', format: 'der' })
            .equals(createPublicKey(result.privateKey).export({ type: 'spki', format: 'der' })),
        ).toBe(true);

        const described = await iot.send(
          new DescribeCertificateCommand({ certificateId: result.certificateId! }),
        );
        expect(described.certificateDescription?.status).toBe('ACTIVE');
        // Not kept by the service after a full bootstrap: fetched from AWS IoT on request.
        expect(await device.certificate(result.certificateId!)).toBe(
          described.certificateDescription?.certificatePem,
        );
        const arn = described.certificateDescription!.certificateArn!;
        await iot.send(new DescribeThingCommand({ thingName: result.clientId }));
        const principals = await iot.send(new ListThingPrincipalsCommand({ thingName: result.clientId }));
        expect(principals.principals).toContain(arn);
        const policies = await iot.send(new ListAttachedPoliciesCommand({ target: arn }));
        expect(policies.policies?.map((policy) => policy.policyName)).toEqual([POLICY]);
      } finally {
        device.close();
      }
    });

    it('bootstraps over any network with SIM authentication and signed requests', async () => {
      const sim = sims[1]!;
      const card = new SimCard(sim);
      const key = await harness.authenticate(card);
      expect(key.imsi).toBe(sim.imsi);
      const result = await harness.bootstrap({ thingName: `custom-${sim.imsi}` }, key);
      // SORACOM's Java client puts the parameters at the top level of the signed body.
      const javaBody = JSON.stringify({
        keyId: key.keyId,
        thingName: `java-${sim.imsi}`,
        skipCertificates: true,
      });
      const javaStyle = await harness.send('/v1/provisioning/aws/iot/bootstrap', javaBody, {
        ...signKryptonRequest(javaBody, key.ck),
      });
      expect(JSON.parse(javaStyle.body.toString())).toMatchObject({ clientId: `java-${sim.imsi}` });
      expect(JSON.parse(javaStyle.body.toString()).certificate).toBeUndefined();
      expect(result.clientId).toBe(`custom-${sim.imsi}`);
      await iot.send(new DescribeThingCommand({ thingName: `custom-${sim.imsi}` }));
      // The key serves several signed calls within its lifetime.
      expect(await harness.rootCaCertificate(key)).toBe(pki.bundlePem);
      const metadata = await harness.subscriberMetadata(key);
      expect(metadata).toMatchObject({ imsi: sim.imsi, iccid: sim.iccid, groupId: 'krypton' });
    });

    it('resynchronises the SQN when the card is ahead, then authenticates', async () => {
      const sim = sims[2]!;
      const card = new SimCard(sim, 32 * 5000);
      const key = await harness.authenticate(card);
      expect(key.imsi).toBe(sim.imsi);
      expect(card.sqnMs).toBeGreaterThan(32 * 5000);
    });

    it('skipCertificates returns the key and ids; the certificate and CA come from their own endpoints', async () => {
      const sim = sims[3]!;
      const device = cellularDevice(await attach(sim.imsi));
      const other = cellularDevice(await attach(sims[4]!.imsi));
      try {
        const result = await device.bootstrap({ skipCertificates: true });
        expect(result.certificate).toBeUndefined();
        expect(result.rootCaCertificate).toBeUndefined();
        expect(result.privateKey).toMatch(/PRIVATE KEY/);
        const pem = await device.certificate(result.certificateId!);
        const described = await iot.send(
          new DescribeCertificateCommand({ certificateId: result.certificateId! }),
        );
        expect(pem).toBe(described.certificateDescription?.certificatePem);
        expect(await device.rootCaCertificate()).toBe(pki.bundlePem);
        await expectApiError(other.certificate(result.certificateId!), 404, 'CERTIFICATE_NOT_FOUND');
      } finally {
        device.close();
        other.close();
      }
    });

    it('serves subscriber metadata and the group userdata to the session', async () => {
      const sim = sims[4]!;
      const address = await attach(sim.imsi);
      const device = cellularDevice(address);
      try {
        expect(await device.userdata()).toBe('hello devices');
        const metadata = (await device.subscriberMetadata()) as {
          imsi: string;
          sessionStatus: { ueIpAddress: string; imei: string; online: boolean };
        };
        expect(metadata.imsi).toBe(sim.imsi);
        expect(metadata.sessionStatus).toMatchObject({ ueIpAddress: address, imei: sim.imei, online: true });
        const update = await harness.send(
          '/_emulator/groups/krypton/configuration/SoracomKrypton',
          JSON.stringify([{ key: 'userdata', value: 'v2' }]),
          {},
          'PUT',
        );
        expect(update.status).toBe(200);
        expect(await device.userdata()).toBe('v2');
        const config = await harness.send('/_emulator/groups/krypton/configuration', '', {}, 'GET');
        expect(JSON.parse(config.body.toString())).toMatchObject({ enabled: true, userdata: 'v2' });
      } finally {
        device.close();
      }
    });

    it('a second bootstrap from the same SIM adds a new active certificate to the same Thing', async () => {
      const sim = sims[5]!;
      const device = cellularDevice(await attach(sim.imsi));
      try {
        const first = await device.bootstrap();
        const second = await device.bootstrap();
        expect(second.clientId).toBe(first.clientId);
        expect(second.certificateId).not.toBe(first.certificateId);
        const principals = await iot.send(new ListThingPrincipalsCommand({ thingName: first.clientId }));
        expect(principals.principals).toHaveLength(2);
        for (const certificateId of [first.certificateId!, second.certificateId!]) {
          const described = await iot.send(new DescribeCertificateCommand({ certificateId }));
          expect(described.certificateDescription?.status).toBe('ACTIVE');
        }
      } finally {
        device.close();
      }
    });

    it('rolls back a bootstrap that fails midway: no certificate is left in AWS IoT', async () => {
      const device = cellularDevice(await attach(brokenSim!.imsi));
      try {
        const before = await certificateCount();
        await expectApiError(device.bootstrap(), 502, 'AWS_IOT_ERROR');
        expect(await certificateCount()).toBe(before);
        const orphans = await harness.send('/_emulator/krypton/orphans', '', {}, 'GET');
        expect(JSON.parse(orphans.body.toString())).toEqual({ orphans: [] });
      } finally {
        device.close();
      }
    });

    describe('bad input and attacks: a clear 4xx {code, message} and nothing created', () => {
      let before: number;
      beforeAll(async () => {
        before = await certificateCount();
      });
      afterAll(async () => {
        expect(await certificateCount()).toBe(before);
      });

      it('unknown source address, detached SIM, Krypton disabled or unconfigured for the group', async () => {
        await expectApiError(harness.bootstrap(), 401, 'UNKNOWN_SOURCE');
        const sim = sims[6]!;
        const address = await attach(sim.imsi);
        await harness.send(`/_emulator/sims/${sim.imsi}/detach`, '', {});
        const detached = cellularDevice(address);
        const disabled = cellularDevice(await attach(disabledSim!.imsi));
        const bare = cellularDevice(await attach(bareSim!.imsi));
        try {
          await expectApiError(detached.bootstrap(), 401, 'UNKNOWN_SOURCE');
          await expectApiError(disabled.bootstrap(), 403, 'KRYPTON_NOT_ENABLED');
          await expectApiError(disabled.userdata(), 403, 'KRYPTON_NOT_ENABLED');
          await expectApiError(bare.bootstrap(), 403, 'AWS_IOT_NOT_CONFIGURED');
        } finally {
          detached.close();
          disabled.close();
          bare.close();
        }
      });

      it('unknown IMSI, wrong RES, keyId reused after a failed verify', async () => {
        await expectApiError(
          harness.authenticate(new SimCard({ ...sims[0]!, imsi: '001019999999999' })),
          404,
          'UNKNOWN_IMSI',
        );
        const sim = sims[7]!;
        const challenge = await harness.send('/v1/keys', JSON.stringify({ imsi: sim.imsi }), {});
        const { keyId } = JSON.parse(challenge.body.toString()) as { keyId: string };
        const wrong = await harness.send(
          `/v1/keys/${keyId}/verify`,
          JSON.stringify({ res: Buffer.alloc(8).toString('base64') }),
          {},
        );
        expect(wrong.status).toBe(401);
        expect(JSON.parse(wrong.body.toString())).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
        const reused = await harness.send(
          `/v1/keys/${keyId}/verify`,
          JSON.stringify({ xres: Buffer.alloc(8).toString('base64') }),
          {},
        );
        expect(reused.status).toBe(401);
        expect(JSON.parse(reused.body.toString())).toMatchObject({ code: 'KEY_INVALIDATED' });
        const bootstrapBody = JSON.stringify({ keyId });
        const signed = await harness.send('/v1/provisioning/aws/iot/bootstrap', bootstrapBody, {
          ...signKryptonRequest(bootstrapBody, Buffer.alloc(16)),
        });
        expect(signed.status).toBe(401);
        expect(JSON.parse(signed.body.toString())).toMatchObject({ code: 'KEY_INVALIDATED' });
      });

      it('timestamp outside 5 minutes, bad signature, replayed signed request', async () => {
        const key = await harness.authenticate(new SimCard(sims[7]!));
        const body = JSON.stringify({ keyId: key.keyId, requestParameters: { thingName: 'never-created' } });
        const path = '/v1/provisioning/aws/iot/bootstrap';
        const stale = await harness.send(path, body, {
          ...signKryptonRequest(body, key.ck, Date.now() - 301_000),
        });
        expect([stale.status, JSON.parse(stale.body.toString()).code]).toEqual([
          401,
          'TIMESTAMP_OUT_OF_WINDOW',
        ]);
        const forged = await harness.send(path, body, { ...signKryptonRequest(body, Buffer.alloc(16)) });
        expect([forged.status, JSON.parse(forged.body.toString()).code]).toEqual([401, 'INVALID_SIGNATURE']);

        const metadataPath = '/v1/provisioning/soracom/air/subscriber_metadata';
        const metadataBody = JSON.stringify({ keyId: key.keyId });
        const headers = { ...signKryptonRequest(metadataBody, key.ck) };
        expect((await harness.send(metadataPath, metadataBody, headers)).status).toBe(200);
        const replay = await harness.send(metadataPath, metadataBody, headers);
        expect([replay.status, JSON.parse(replay.body.toString()).code]).toEqual([401, 'REPLAYED_REQUEST']);
      });

      it('malformed JSON, oversize bodies, bad parameters, unknown endpoints', async () => {
        const device = cellularDevice(await attach(sims[6]!.imsi));
        try {
          const cases: Array<[string, string | Buffer, number, string]> = [
            ['/v1/provisioning/aws/iot/bootstrap', '{"requestParameters":', 400, 'MALFORMED_JSON'],
            ['/v1/provisioning/aws/iot/bootstrap', '[1,2]', 400, 'MALFORMED_JSON'],
            ['/v1/provisioning/aws/iot/bootstrap', Buffer.alloc(70_000, 0x20), 413, 'PAYLOAD_TOO_LARGE'],
            [
              '/v1/provisioning/aws/iot/bootstrap',
              '{"requestParameters":{"thingName":"bad name!"}}',
              400,
              'INVALID_THING_NAME',
            ],
            [
              '/v1/provisioning/aws/iot/bootstrap',
              '{"requestParameters":{"skipCertificates":"yes"}}',
              400,
              'INVALID_PARAMETER',
            ],
            ['/v1/keys', '{"imsi":12}', 400, 'INVALID_PARAMETER'],
            ['/v1/keys', `{"imsi":"${sims[6]!.imsi}","rand":"AA==","auts":"AA=="}`, 400, 'INVALID_PARAMETER'],
            ['/v1/no-such-thing', '{}', 404, 'NOT_FOUND'],
            ['/_emulator/krypton/stats', '', 403, 'ADMIN_FROM_DEVICE'],
          ];
          for (const [path, body, status, code] of cases) {
            const result = await device.send(path, body, {});
            const parsed = JSON.parse(result.body.toString()) as { code: string; message: string };
            expect({ path, status: result.status, code: parsed.code }).toEqual({ path, status, code });
            expect(parsed.message.length).toBeGreaterThan(0);
          }
        } finally {
          device.close();
        }
      });
    });
  },
  { install: "pip install 'moto[server]'" },
);
