import {
  DescribeThingTypeCommand,
  ListThingGroupsCommand,
  ListThingsCommand,
  ListThingsInThingGroupCommand,
  ListThingTypesCommand,
} from '@aws-sdk/client-iot';
import { expect } from 'vitest';
import { resourceName } from '../../scenarios/lib/names.js';
import { templateVariant } from '../../scenarios/lib/template-variants.js';
import { readLedger } from '../../src/targets/ledger.js';
import { describeEndToEnd } from '../support/e2e-suite.js';

/**
 * The thing-type-and-group variants end to end on the embedded target: the template gives every
 * device's thing the run's thing type and puts it in the run's thing group; cleanup removes
 * things, group and type.
 */
describeEndToEnd(
  'thing-type-and-group variants end to end on the embedded target',
  ['fleet-provisioning:thing-type-and-group', 'jitp:thing-type-and-group'],
  {
    devices: 20,
    concurrency: 10,
    testTimeoutMs: 180_000,
    checks: 'things typed and grouped, type and group gone after cleanup',
    beforeCleanup: async ({ runId, scenarioId, devices, iot, ledgerPath }) => {
      const thingTypeName = resourceName({ runId, scenarioId }, 'type');
      const thingGroupName = resourceName({ runId, scenarioId }, 'group');
      const typed = await iot.send(new ListThingsCommand({ thingTypeName, maxResults: 250 }));
      expect(typed.things).toHaveLength(devices);
      const grouped = await iot.send(new ListThingsInThingGroupCommand({ thingGroupName, maxResults: 250 }));
      expect(grouped.things?.sort()).toEqual(typed.things?.map((thing) => thing.thingName).sort());
      const type = await iot.send(new DescribeThingTypeCommand({ thingTypeName }));
      expect(type.thingTypeMetadata?.deprecated).toBe(false);
      // The ledger kinds the variant declares (a thing type, a thing group), none of the other variant's.
      const recorded = readLedger(ledgerPath).map((entry) => entry.resource.kind);
      for (const kind of templateVariant('role-alias-credentials').ledgerKinds)
        expect(recorded).not.toContain(kind);
    },
    afterCleanup: async ({ cleanup, iot }) => {
      for (const kind of templateVariant('thing-type-and-group').ledgerKinds)
        expect(cleanup?.deleted[kind], kind).toBe(1);
      expect(cleanup?.deleted['thing-type']).toBe(1);
      expect(cleanup?.deleted['thing-group']).toBe(1);
      expect((await iot.send(new ListThingTypesCommand({}))).thingTypes).toEqual([]);
      expect((await iot.send(new ListThingGroupsCommand({}))).thingGroups).toEqual([]);
    },
  },
);
