import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DescribeThingTypeCommand,
  ListThingGroupsCommand,
  ListThingsCommand,
  ListThingTypesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupFromLedger } from '../../src/targets/cleanup.js';
import { FileLedger, readLedger } from '../../src/targets/ledger.js';
import { deleteResource } from '../../src/targets/resource-deletion.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

/** Long enough that deleting right after deprecating is refused, short enough for a test. */
const DELETION_WAIT_MS = 1_500;

let test: TestEmulator;

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [], thingTypeDeletionWaitMs: DELETION_WAIT_MS });
});
afterAll(async () => {
  await test.close();
});

describe('cleanup of thing types, thing groups and memberships', () => {
  it('removes memberships, things, groups child first, and types after their deprecation wait', async () => {
    const iot = test.iot;
    const path = join(mkdtempSync(join(tmpdir(), 'pb-groups-')), 'ledger.jsonl');
    const ledger = new FileLedger(path, 'run-groups', 'w0');
    await ledger.track({ kind: 'thing-type', name: 'run-type' }, () =>
      iot.send(new CreateThingTypeCommand({ thingTypeName: 'run-type' })),
    );
    await ledger.track({ kind: 'thing-group', name: 'run-root' }, () =>
      iot.send(new CreateThingGroupCommand({ thingGroupName: 'run-root' })),
    );
    await ledger.track({ kind: 'thing-group', name: 'run-child' }, () =>
      iot.send(new CreateThingGroupCommand({ thingGroupName: 'run-child', parentGroupName: 'run-root' })),
    );
    await ledger.track({ kind: 'thing', name: 'run-thing' }, () =>
      iot.send(new CreateThingCommand({ thingName: 'run-thing', thingTypeName: 'run-type' })),
    );
    await ledger.track(
      { kind: 'thing-group-membership', thingName: 'run-thing', thingGroupName: 'run-child' },
      () =>
        iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'run-child', thingName: 'run-thing' })),
    );
    ledger.close();
    // What another run made stays.
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'other-type' }));
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'other-group' }));

    const report = await cleanupFromLedger(iot, path, { thingTypeDeletionWaitMs: DELETION_WAIT_MS });

    expect(report.failed).toEqual([]);
    expect(report.deleted).toEqual({
      'thing-type': 1,
      'thing-group': 2,
      'thing-group-membership': 1,
      thing: 1,
    });
    const types = await iot.send(new ListThingTypesCommand({}));
    expect(types.thingTypes?.map((t) => t.thingTypeName)).toEqual(['other-type']);
    const groups = await iot.send(new ListThingGroupsCommand({}));
    expect(groups.thingGroups?.map((g) => g.groupName)).toEqual(['other-group']);
    expect((await iot.send(new ListThingsCommand({}))).things).toEqual([]);
    expect(readLedger(path).every((entry) => entry.deleted)).toBe(true);
  });

  it('waits out the rest of the deprecation wait when the target refuses the deletion', async () => {
    const iot = test.iot;
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'fresh-type' }));
    const started = Date.now();
    await deleteResource(
      iot,
      { kind: 'thing-type', name: 'fresh-type' },
      { thingTypeDeletionWaitMs: DELETION_WAIT_MS },
    );
    // The emulator refuses DeleteThingType until the wait after DeprecateThingType is over.
    expect(Date.now() - started).toBeGreaterThanOrEqual(DELETION_WAIT_MS);
    await expect(
      iot.send(new DescribeThingTypeCommand({ thingTypeName: 'fresh-type' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
