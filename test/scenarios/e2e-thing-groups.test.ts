import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeThingTypeCommand,
  type IoTClient,
  ListThingGroupsCommand,
  ListThingsCommand,
  ListThingsInThingGroupCommand,
  ListThingTypesCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceName } from '../../scenarios/lib/names.js';
import { templateVariant } from '../../scenarios/lib/template-variants.js';
import { runScenarios } from '../../src/engine/run.js';
import { resolveScenarios } from '../../src/engine/scenario-loader.js';
import { cleanupFromLedger } from '../../src/targets/cleanup.js';
import { startEmbeddedTarget } from '../../src/targets/embedded.js';
import { createIoTClient } from '../../src/targets/iot-client.js';
import { readLedger } from '../../src/targets/ledger.js';
import type { StartedTarget } from '../../src/targets/target.js';
import { registryLeftovers } from '../support/registry-probe.js';

/**
 * The thing-type-and-group variants end to end on the embedded target: the template gives every
 * device's thing the run's thing type and puts it in the run's thing group; cleanup removes
 * things, group and type.
 */
const DEVICES = 20;

describe('thing-type-and-group variants end to end on the embedded target', () => {
  let workDir: string;
  let target: StartedTarget;
  let iot: IoTClient;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'provbench-groups-'));
    target = await startEmbeddedTarget({ quotas: 'none', requestTimeoutMs: 20_000, workDir, keyType: 'ec' });
    iot = createIoTClient(target.iotConfig);
  }, 90_000);

  afterAll(async () => {
    iot?.destroy();
    await target?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  for (const spec of ['fleet-provisioning:thing-type-and-group', 'jitp:thing-type-and-group']) {
    it(`${spec}: ${DEVICES} typed and grouped things, all gone after cleanup`, async () => {
      const scenarioId = spec.split(':')[0] as string;
      const runId = `g${scenarioId.replace(/[^a-z]/g, '').slice(0, 5)}${Date.now().toString(36)}`;
      const ledgerPath = join(workDir, `${runId}.ledger.jsonl`);
      const result = await runScenarios({
        runId,
        scenarios: resolveScenarios(spec),
        devices: DEVICES,
        model: { kind: 'concurrency', concurrency: 10 },
        target,
        quotas: 'none',
        seed: 7,
        keyType: 'ec',
        timeoutMs: 60_000,
        maxAttempts: 3,
        shard: null,
        ledgerPath,
        keepResources: true,
        workers: 1,
      });
      const scenario = result.scenarios[0];
      expect(scenario?.errors.map((e) => `${e.phase}/${e.errorClass}: ${e.sample}`)).toEqual([]);
      expect(scenario?.summary.devices).toEqual({ requested: DEVICES, succeeded: DEVICES, failed: 0 });

      const thingTypeName = resourceName({ runId, scenarioId }, 'type');
      const thingGroupName = resourceName({ runId, scenarioId }, 'group');
      const typed = await iot.send(new ListThingsCommand({ thingTypeName, maxResults: 250 }));
      expect(typed.things).toHaveLength(DEVICES);
      const grouped = await iot.send(new ListThingsInThingGroupCommand({ thingGroupName, maxResults: 250 }));
      expect(grouped.things?.sort()).toEqual(typed.things?.map((thing) => thing.thingName).sort());
      const type = await iot.send(new DescribeThingTypeCommand({ thingTypeName }));
      expect(type.thingTypeMetadata?.deprecated).toBe(false);

      // The ledger kinds the variant declares (a thing type, a thing group), none of the other variant's.
      const recorded = readLedger(ledgerPath).map((entry) => entry.resource.kind);
      for (const kind of templateVariant('role-alias-credentials').ledgerKinds)
        expect(recorded).not.toContain(kind);
      const report = await cleanupFromLedger(iot, ledgerPath);
      expect(report.failed).toEqual([]);
      for (const kind of templateVariant('thing-type-and-group').ledgerKinds)
        expect(report.deleted[kind], kind).toBe(1);
      expect(report.deleted['thing-type']).toBe(1);
      expect(report.deleted['thing-group']).toBe(1);
      expect((await iot.send(new ListThingTypesCommand({}))).thingTypes).toEqual([]);
      expect((await iot.send(new ListThingGroupsCommand({}))).thingGroups).toEqual([]);
      const leftovers = await registryLeftovers(iot, [resourceName({ runId, scenarioId }, 'device')]);
      expect(leftovers.things).toEqual([]);
      expect(leftovers.certificates).toEqual([]);
    }, 180_000);
  }
});
