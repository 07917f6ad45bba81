import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DeprecateThingTypeCommand,
  DescribeThingTypeCommand,
  InvalidRequestException,
  type IoTClient,
  ListThingGroupsForThingCommand,
  ResourceNotFoundException,
  UpdateThingGroupsForThingCommand,
  UpdateThingTypeCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

let test: TestEmulator;

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [] });
});

afterAll(async () => {
  await test?.close();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: Error) => error,
  );
  expect(outcome, 'the call succeeded').toBeInstanceOf(Error);
  return outcome as Error;
}

const groupsOf = async (iot: IoTClient, thingName: string) =>
  (await iot.send(new ListThingGroupsForThingCommand({ thingName }))).thingGroups
    ?.map((group) => group.groupName)
    .sort();

describe('UpdateThingType through @aws-sdk/client-iot', () => {
  const enrichment = (userPropertyKey: string) => ({
    mqtt5Configuration: {
      propagatingAttributes: [
        { userPropertyKey, thingAttribute: 'serial' },
        { userPropertyKey: 'iot:ClientId', connectionAttribute: 'iot:ClientId' },
      ],
    },
  });

  it('replaces mqtt5Configuration and keeps the description and searchable attributes', async () => {
    await test.iot.send(
      new CreateThingTypeCommand({
        thingTypeName: 'Valve',
        thingTypeProperties: { thingTypeDescription: 'valves', searchableAttributes: ['serial'] },
      }),
    );
    await test.iot.send(
      new UpdateThingTypeCommand({ thingTypeName: 'Valve', thingTypeProperties: enrichment('sn') }),
    );
    await test.iot.send(
      new UpdateThingTypeCommand({ thingTypeName: 'Valve', thingTypeProperties: enrichment('serial.no') }),
    );
    const described = await test.iot.send(new DescribeThingTypeCommand({ thingTypeName: 'Valve' }));
    expect(described.thingTypeProperties).toEqual({
      thingTypeDescription: 'valves',
      searchableAttributes: ['serial'],
      ...enrichment('serial.no'),
    });
  });

  it('refuses any other property with AWS message and changes nothing', async () => {
    await test.iot.send(
      new CreateThingTypeCommand({
        thingTypeName: 'Pump',
        thingTypeProperties: { thingTypeDescription: 'pumps', searchableAttributes: ['serial'] },
      }),
    );
    for (const properties of [
      { searchableAttributes: ['serial', 'site'] },
      { thingTypeDescription: 'other pumps', ...enrichment('sn') },
    ]) {
      const refused = await rejection(
        test.iot.send(new UpdateThingTypeCommand({ thingTypeName: 'Pump', thingTypeProperties: properties })),
      );
      expect(refused).toBeInstanceOf(InvalidRequestException);
      expect(refused.message).toBe('Can only update mqtt5Configuration.');
    }
    const described = await test.iot.send(new DescribeThingTypeCommand({ thingTypeName: 'Pump' }));
    expect(described.thingTypeProperties).toEqual({
      thingTypeDescription: 'pumps',
      searchableAttributes: ['serial'],
    });
  });

  it('updates a deprecated type, answers ResourceNotFound for a missing one, checks the model', async () => {
    await test.iot.send(new CreateThingTypeCommand({ thingTypeName: 'Old' }));
    await test.iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'Old' }));
    await test.iot.send(
      new UpdateThingTypeCommand({ thingTypeName: 'Old', thingTypeProperties: enrichment('sn') }),
    );
    const described = await test.iot.send(new DescribeThingTypeCommand({ thingTypeName: 'Old' }));
    expect(described.thingTypeProperties?.mqtt5Configuration).toEqual(enrichment('sn').mqtt5Configuration);
    expect(described.thingTypeMetadata?.deprecated).toBe(true);

    const missing = await rejection(
      test.iot.send(new UpdateThingTypeCommand({ thingTypeName: 'Nowhere', thingTypeProperties: {} })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    // UserPropertyKeyName is [a-zA-Z0-9:$.]+ in the model.
    const badKey = await rejection(
      test.iot.send(
        new UpdateThingTypeCommand({ thingTypeName: 'Old', thingTypeProperties: enrichment('no spaces') }),
      ),
    );
    expect(badKey).toBeInstanceOf(InvalidRequestException);
    expect(badKey.message).toMatch(/userPropertyKey/);
  });
});

describe('UpdateThingGroupsForThing through @aws-sdk/client-iot', () => {
  /** Root groups `prefix-0` .. `prefix-<count-1>`, each its own hierarchy. */
  async function roots(prefix: string, count: number): Promise<string[]> {
    const names = Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
    for (const thingGroupName of names) await test.iot.send(new CreateThingGroupCommand({ thingGroupName }));
    return names;
  }

  it('moves a thing between groups of one hierarchy in one call (removals first)', async () => {
    await test.iot.send(new CreateThingGroupCommand({ thingGroupName: 'depot' }));
    await test.iot.send(new CreateThingGroupCommand({ thingGroupName: 'bay-1', parentGroupName: 'depot' }));
    await test.iot.send(new CreateThingGroupCommand({ thingGroupName: 'bay-2', parentGroupName: 'depot' }));
    await test.iot.send(new CreateThingCommand({ thingName: 'truck-1' }));
    await test.iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'bay-1', thingName: 'truck-1' }));

    await test.iot.send(
      new UpdateThingGroupsForThingCommand({
        thingName: 'truck-1',
        thingGroupsToAdd: ['bay-2'],
        thingGroupsToRemove: ['bay-1'],
        overrideDynamicGroups: true,
      }),
    );
    expect(await groupsOf(test.iot, 'truck-1')).toEqual(['bay-2']);
    // Adding a group of the same hierarchy without removing the other is refused, as AddThingToThingGroup does.
    const same = await rejection(
      test.iot.send(
        new UpdateThingGroupsForThingCommand({ thingName: 'truck-1', thingGroupsToAdd: ['bay-1'] }),
      ),
    );
    expect(same).toBeInstanceOf(InvalidRequestException);
    expect(same.message).toMatch(/same hierarchy/);
    // Removing a group the thing is not in succeeds, as RemoveThingFromThingGroup does.
    await test.iot.send(
      new UpdateThingGroupsForThingCommand({ thingName: 'truck-1', thingGroupsToRemove: ['bay-1'] }),
    );
    expect(await groupsOf(test.iot, 'truck-1')).toEqual(['bay-2']);
  });

  it('keeps the limit of 10 groups per thing with AddThingToThingGroup wording, all or nothing', async () => {
    const groups = await roots('zone', 12);
    await test.iot.send(new CreateThingCommand({ thingName: 'crane-1' }));
    await test.iot.send(
      new UpdateThingGroupsForThingCommand({ thingName: 'crane-1', thingGroupsToAdd: groups.slice(0, 10) }),
    );
    expect(await groupsOf(test.iot, 'crane-1')).toEqual(groups.slice(0, 10).sort());

    const single = await rejection(
      test.iot.send(new AddThingToThingGroupCommand({ thingGroupName: groups[10], thingName: 'crane-1' })),
    );
    const batched = await rejection(
      test.iot.send(
        new UpdateThingGroupsForThingCommand({
          thingName: 'crane-1',
          thingGroupsToRemove: [groups[0]!],
          thingGroupsToAdd: [groups[10]!, groups[11]!],
        }),
      ),
    );
    expect(batched).toBeInstanceOf(InvalidRequestException);
    expect(batched.message).toBe(single.message);
    expect(await groupsOf(test.iot, 'crane-1')).toEqual(groups.slice(0, 10).sort());

    // Swapping one group for another at the limit is allowed.
    await test.iot.send(
      new UpdateThingGroupsForThingCommand({
        thingName: 'crane-1',
        thingGroupsToRemove: [groups[0]!],
        thingGroupsToAdd: [groups[10]!],
      }),
    );
    expect(await groupsOf(test.iot, 'crane-1')).toEqual(groups.slice(1, 11).sort());
  });

  it('answers ResourceNotFound for an unknown group or thing and changes nothing', async () => {
    const [kept, other] = await roots('yard', 2);
    await test.iot.send(new CreateThingCommand({ thingName: 'forklift-1' }));
    await test.iot.send(new AddThingToThingGroupCommand({ thingGroupName: kept, thingName: 'forklift-1' }));

    for (const request of [
      { thingGroupsToAdd: [other!, 'no-such-group'] },
      { thingGroupsToAdd: [other!], thingGroupsToRemove: ['no-such-group'] },
    ]) {
      const refused = await rejection(
        test.iot.send(new UpdateThingGroupsForThingCommand({ thingName: 'forklift-1', ...request })),
      );
      expect(refused).toBeInstanceOf(ResourceNotFoundException);
    }
    expect(await groupsOf(test.iot, 'forklift-1')).toEqual([kept]);
    const noThing = await rejection(
      test.iot.send(
        new UpdateThingGroupsForThingCommand({ thingName: 'no-such-thing', thingGroupsToAdd: [other!] }),
      ),
    );
    expect(noThing).toBeInstanceOf(ResourceNotFoundException);
  });
});
