import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddThingToThingGroupCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  type IoTClient,
  ListCertificatesCommand,
  ListPoliciesCommand,
  ListThingGroupsCommand,
  ListThingsCommand,
  ListThingTypesCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiCallCounter, instrumentIoTClient } from '../../src/engine/api-calls.js';
import { runScenarios } from '../../src/engine/run.js';
import { cleanupFromLedger } from '../../src/targets/cleanup.js';
import { createIoTClient } from '../../src/targets/iot-client.js';
import { FileLedger, readLedger } from '../../src/targets/ledger.js';
import { startLocalStackTarget } from '../../src/targets/remote.js';
import type { StartedTarget } from '../../src/targets/target.js';
import { type MotoServer, startMoto } from '../support/moto.js';
import { fixtureRef, testConfig } from '../support/offline-target.js';
import { describeWithTool } from '../support/tools.js';

/** Records the operation name of every send, in order. */
function recordingClient(url: string, sent: string[]): IoTClient {
  const iot = createIoTClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestTimeoutMs: 10_000,
  });
  iot.middlewareStack.add(
    (next, context) => (args) => {
      sent.push((context.commandName ?? '').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'recordSends' },
  );
  return instrumentIoTClient(iot, { maxAttempts: 3, counter: () => new ApiCallCounter() });
}

async function registryCounts(iot: IoTClient) {
  const things = await iot.send(new ListThingsCommand({}));
  const certificates = await iot.send(new ListCertificatesCommand({}));
  const policies = await iot.send(new ListPoliciesCommand({}));
  return {
    things: things.things?.length ?? 0,
    certificates: certificates.certificates?.length ?? 0,
    policies: policies.policies?.length ?? 0,
  };
}

describeWithTool(
  'moto_server',
  'non-embedded target path against moto (an AWS IoT control plane we did not write)',
  () => {
    let moto: MotoServer;
    let target: StartedTarget;
    let iot: IoTClient;

    beforeAll(async () => {
      moto = await startMoto();
      target = await startLocalStackTarget({
        endpointUrl: moto.url,
        quotas: 'none',
        requestTimeoutMs: 10_000,
        workDir: tmpdir(),
      });
      iot = recordingClient(moto.url, []);
    }, 60_000);

    afterAll(async () => {
      iot?.destroy();
      await target?.close();
      await moto?.close();
    });

    it('runs the control-plane phases on worker threads, counts API calls, and cleans up from the ledger', async () => {
      expect(target.endpoint.controlPlaneUrl).toBe(moto.url);
      const dir = mkdtempSync(join(tmpdir(), 'pb-moto-'));
      const ledgerPath = join(dir, 'ledger.jsonl');
      const result = await runScenarios(
        testConfig({
          runId: 'motorun',
          scenarios: [fixtureRef('control-plane-only')],
          devices: 12,
          model: { kind: 'concurrency', concurrency: 4 },
          target,
          timeoutMs: 30_000,
          ledgerPath,
        }),
      );
      const scenario = result.scenarios[0];
      expect(scenario?.summary.devices).toEqual({ requested: 12, succeeded: 12, failed: 0 });
      expect(scenario?.apiCalls.CreateKeysAndCertificate?.calls).toBe(12);
      expect(scenario?.apiCalls.AttachThingPrincipal?.calls).toBe(12);
      expect(scenario?.setupApiCalls?.CreatePolicy?.calls).toBe(1);
      expect(scenario?.apiCallsPerDevice).toBe(5);
      expect(scenario?.projection.bottleneckApi).toBe('CreateKeysAndCertificate');
      expect(scenario?.phases['create-thing']?.histogram.count).toBe(12);

      const entries = readLedger(ledgerPath);
      expect(
        entries.filter(
          (entry) => entry.resource.kind === 'certificate' && entry.acknowledged && entry.resource.id,
        ),
      ).toHaveLength(12);
      expect(await registryCounts(iot)).toEqual({ things: 12, certificates: 12, policies: 1 });

      const report = await cleanupFromLedger(iot, ledgerPath);
      expect(report.failed).toEqual([]);
      expect(await registryCounts(iot)).toEqual({ things: 0, certificates: 0, policies: 0 });

      const again = await cleanupFromLedger(iot, ledgerPath);
      expect(again).toEqual({ deleted: {}, failed: [], unattributed: [] });
    }, 90_000);

    it('after a crash between creation and acknowledgement, cleanup finds the certificate through its thing, in dependency order', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pb-moto-'));
      const ledgerPath = join(dir, 'ledger.jsonl');
      const ledger = new FileLedger(ledgerPath, 'crashrun', 'test');
      const thingName = 'crashrun-device-000001';
      await ledger.track({ kind: 'thing', name: thingName }, () =>
        iot.send(new CreateThingCommand({ thingName })),
      );
      // Intent written, certificate created, process "dies" before the acknowledgement.
      ledger.intend({ kind: 'certificate', thingName });
      const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      ledger.intend({ kind: 'thing-principal', thingName, principal: created.certificateArn });
      await iot.send(new AttachThingPrincipalCommand({ thingName, principal: created.certificateArn }));
      ledger.close();
      expect(readLedger(ledgerPath).filter((entry) => !entry.acknowledged)).toHaveLength(2);

      const sent: string[] = [];
      const cleanupClient = recordingClient(moto.url, sent);
      const report = await cleanupFromLedger(cleanupClient, ledgerPath);
      cleanupClient.destroy();
      expect(report.failed).toEqual([]);
      expect(await registryCounts(iot)).toEqual({ things: 0, certificates: 0, policies: 0 });
      const firstDetach = sent.indexOf('DetachThingPrincipal');
      const deleteCertificate = sent.indexOf('DeleteCertificate');
      const deleteThing = sent.indexOf('DeleteThing');
      expect(firstDetach).toBeGreaterThanOrEqual(0);
      expect(firstDetach).toBeLessThan(deleteCertificate);
      expect(sent.indexOf('UpdateCertificate')).toBeLessThan(deleteCertificate);
      expect(deleteCertificate).toBeLessThan(deleteThing);
      const lines = readFileSync(ledgerPath, 'utf8').trim().split('\n');
      expect(lines.filter((line) => line.includes('"op":"deleted"'))).toHaveLength(3);
    }, 60_000);

    it('cleans up thing types, nested thing groups and memberships in an order moto accepts', async () => {
      const ledgerPath = join(mkdtempSync(join(tmpdir(), 'pb-moto-')), 'ledger.jsonl');
      const ledger = new FileLedger(ledgerPath, 'grouprun', 'test');
      await ledger.track({ kind: 'thing-type', name: 'grouprun-type' }, () =>
        iot.send(new CreateThingTypeCommand({ thingTypeName: 'grouprun-type' })),
      );
      await ledger.track({ kind: 'thing-group', name: 'grouprun-root' }, () =>
        iot.send(new CreateThingGroupCommand({ thingGroupName: 'grouprun-root' })),
      );
      await ledger.track({ kind: 'thing-group', name: 'grouprun-child' }, () =>
        iot.send(
          new CreateThingGroupCommand({ thingGroupName: 'grouprun-child', parentGroupName: 'grouprun-root' }),
        ),
      );
      await ledger.track({ kind: 'thing', name: 'grouprun-thing' }, () =>
        iot.send(new CreateThingCommand({ thingName: 'grouprun-thing', thingTypeName: 'grouprun-type' })),
      );
      await ledger.track(
        { kind: 'thing-group-membership', thingName: 'grouprun-thing', thingGroupName: 'grouprun-child' },
        () =>
          iot.send(
            new AddThingToThingGroupCommand({
              thingGroupName: 'grouprun-child',
              thingName: 'grouprun-thing',
            }),
          ),
      );
      ledger.close();

      const sent: string[] = [];
      const cleanupClient = recordingClient(moto.url, sent);
      const report = await cleanupFromLedger(cleanupClient, ledgerPath);
      cleanupClient.destroy();
      expect(report.failed).toEqual([]);
      expect(report.deleted).toEqual({
        'thing-group-membership': 1,
        thing: 1,
        'thing-group': 2,
        'thing-type': 1,
      });
      expect((await iot.send(new ListThingTypesCommand({}))).thingTypes).toEqual([]);
      expect((await iot.send(new ListThingGroupsCommand({}))).thingGroups).toEqual([]);
      // Deprecated first, deleted last; the child group before its parent.
      expect(sent.indexOf('DeprecateThingType')).toBeLessThan(sent.indexOf('RemoveThingFromThingGroup'));
      expect(sent.lastIndexOf('DeleteThingType')).toBeGreaterThan(sent.lastIndexOf('DeleteThingGroup'));
    }, 60_000);
  },
  { install: "pip install 'moto[server]==5.2.5'" },
);
