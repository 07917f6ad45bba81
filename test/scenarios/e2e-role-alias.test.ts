import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IoTClient, ListRoleAliasesCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceName } from '../../scenarios/lib/names.js';
import { templateVariant } from '../../scenarios/lib/template-variants.js';
import { runScenarios } from '../../src/engine/run.js';
import { resolveScenarios } from '../../src/engine/scenario-loader.js';
import type { ScenarioResult } from '../../src/metrics/result-schema.js';
import { startEmbeddedTarget } from '../../src/targets/embedded.js';
import { createIoTClient } from '../../src/targets/iot-client.js';
import { readLedger } from '../../src/targets/ledger.js';
import type { StartedTarget } from '../../src/targets/target.js';
import { registryLeftovers } from '../support/registry-probe.js';

const DEVICES = 6;
const policyPurposes: Record<string, string[]> = {
  'fleet-provisioning': ['device', 'claim'],
  jitp: ['device'],
};

describe('role-alias-credentials variants end to end on the embedded target', () => {
  let workDir: string;
  let target: StartedTarget;
  let iot: IoTClient;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'provbench-role-alias-'));
    target = await startEmbeddedTarget({ quotas: 'none', requestTimeoutMs: 20_000, workDir, keyType: 'ec' });
    iot = createIoTClient(target.iotConfig);
  }, 90_000);

  afterAll(async () => {
    iot?.destroy();
    await target?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  for (const spec of ['fleet-provisioning:role-alias-credentials', 'jitp:role-alias-credentials']) {
    it(`${spec}: every device connects, then gets credentials through the role alias; cleanup removes the alias`, async () => {
      const scenarioId = spec.split(':')[0] as string;
      const runId = `r${scenarioId.replace(/[^a-z]/g, '').slice(0, 5)}${Date.now().toString(36)}`;
      const ledgerPath = join(workDir, `${runId}.ledger.jsonl`);
      const result = await runScenarios({
        runId,
        scenarios: resolveScenarios(spec),
        devices: DEVICES,
        model: { kind: 'concurrency', concurrency: 3 },
        target,
        quotas: 'none',
        seed: 11,
        keyType: 'ec',
        timeoutMs: 60_000,
        maxAttempts: 3,
        shard: null,
        ledgerPath,
        keepResources: false,
        workers: 1,
      });
      const scenario = result.scenarios[0] as ScenarioResult;
      expect(scenario.errors.map((e) => `${e.phase}/${e.errorClass}: ${e.sample}`)).toEqual([]);
      expect(scenario.variant).toBe('role-alias-credentials');
      expect(scenario.summary.devices).toEqual({ requested: DEVICES, succeeded: DEVICES, failed: 0 });
      expect(scenario.apiCalls['iot:AssumeRoleWithCertificate']?.calls).toBe(DEVICES);
      expect(scenario.phases['fetch-role-credentials']?.histogram.count).toBe(DEVICES);
      // The exchange went over each device's field link: one more TLS handshake per device than its MQTT connects.
      const connects = scenario.apiCalls['mqtt:Connect']?.calls ?? 0;
      expect(scenario.traffic?.device?.tlsHandshakes.total).toBeGreaterThanOrEqual(connects + DEVICES);

      const policies = (policyPurposes[scenarioId] ?? []).map((purpose) =>
        resourceName({ runId, scenarioId }, purpose),
      );
      expect(await registryLeftovers(iot, policies)).toEqual({
        things: [],
        certificates: [],
        caCertificates: [],
        templates: [],
        policies: [],
      });
      expect((await iot.send(new ListRoleAliasesCommand({}))).roleAliases).toEqual([]);
      // The ledger has the kinds the variant declares, all deleted, and none of the other variant's.
      const entries = readLedger(ledgerPath);
      for (const kind of templateVariant('role-alias-credentials').ledgerKinds) {
        const ofKind = entries.filter((entry) => entry.resource.kind === kind);
        expect(ofKind.length, kind).toBeGreaterThan(0);
        expect(ofKind.every((entry) => entry.deleted)).toBe(true);
      }
      for (const kind of templateVariant('thing-type-and-group').ledgerKinds) {
        expect(entries.filter((entry) => entry.resource.kind === kind)).toEqual([]);
      }
    }, 120_000);
  }
});
