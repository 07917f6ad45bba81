import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DeleteThingCommand,
  DeleteThingGroupCommand,
  DeleteThingTypeCommand,
  DeprecateThingTypeCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  DescribeThingTypeCommand,
  InvalidRequestException,
  ListTagsForResourceCommand,
  ListThingGroupsCommand,
  ListThingGroupsForThingCommand,
  ListThingsCommand,
  ListThingsInThingGroupCommand,
  ListThingTypesCommand,
  RemoveThingFromThingGroupCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UpdateThingCommand,
  UpdateThingGroupCommand,
  VersionConflictException,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

let test: TestEmulator;

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [], thingTypeDeletionWaitMs: 0 });
});

afterAll(async () => {
  await test?.close();
});

describe('thing types through @aws-sdk/client-iot', () => {
  it('CreateThingType, DescribeThingType, ListThingTypes with AWS shapes', async () => {
    const created = await test.iot.send(
      new CreateThingTypeCommand({
        thingTypeName: 'Meter',
        thingTypeProperties: {
          thingTypeDescription: 'smart meter',
          searchableAttributes: ['serial', 'site'],
        },
        tags: [{ Key: 'owner', Value: 'bench' }],
      }),
    );
    expect(created.thingTypeArn).toBe(`arn:aws:iot:us-east-1:123456789012:thingtype/Meter`);
    expect(created.thingTypeId).toMatch(/^[0-9a-f-]{36}$/);
    const described = await test.iot.send(new DescribeThingTypeCommand({ thingTypeName: 'Meter' }));
    expect(described.thingTypeProperties).toEqual({
      thingTypeDescription: 'smart meter',
      searchableAttributes: ['serial', 'site'],
    });
    expect(described.thingTypeMetadata?.deprecated).toBe(false);
    expect(described.thingTypeMetadata?.creationDate).toBeInstanceOf(Date);
    const tags = await test.iot.send(new ListTagsForResourceCommand({ resourceArn: created.thingTypeArn }));
    expect(tags.tags).toEqual([{ Key: 'owner', Value: 'bench' }]);
    await test.iot.send(new CreateThingTypeCommand({ thingTypeName: 'Gateway' }));
    const listed = await test.iot.send(new ListThingTypesCommand({}));
    expect(listed.thingTypes?.map((t) => t.thingTypeName)).toEqual(['Meter', 'Gateway']);
    const one = await test.iot.send(new ListThingTypesCommand({ thingTypeName: 'Gateway' }));
    expect(one.thingTypes?.map((t) => t.thingTypeArn)).toEqual([
      'arn:aws:iot:us-east-1:123456789012:thingtype/Gateway',
    ]);
    await expect(
      test.iot.send(new CreateThingTypeCommand({ thingTypeName: 'Meter' })),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(
      test.iot.send(
        new CreateThingTypeCommand({
          thingTypeName: 'Wide',
          thingTypeProperties: { searchableAttributes: ['a', 'b', 'c', 'd'] },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidRequestException);
  });

  it('typed things: ListThings filter, deprecation refuses new things, deletion rules', async () => {
    await test.iot.send(new CreateThingTypeCommand({ thingTypeName: 'Sensor' }));
    await test.iot.send(new CreateThingCommand({ thingName: 'sensor-1', thingTypeName: 'Sensor' }));
    await test.iot.send(new CreateThingCommand({ thingName: 'untyped-1' }));
    const typed = await test.iot.send(new ListThingsCommand({ thingTypeName: 'Sensor' }));
    expect(typed.things?.map((t) => [t.thingName, t.thingTypeName])).toEqual([['sensor-1', 'Sensor']]);
    expect((await test.iot.send(new DescribeThingCommand({ thingName: 'sensor-1' }))).thingTypeName).toBe(
      'Sensor',
    );

    await expect(test.iot.send(new DeleteThingTypeCommand({ thingTypeName: 'Sensor' }))).rejects.toThrow(
      /not deprecated/,
    );
    await test.iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'Sensor' }));
    const deprecated = await test.iot.send(new DescribeThingTypeCommand({ thingTypeName: 'Sensor' }));
    expect(deprecated.thingTypeMetadata?.deprecated).toBe(true);
    expect(deprecated.thingTypeMetadata?.deprecationDate).toBeInstanceOf(Date);
    const refused = await test.iot
      .send(new CreateThingCommand({ thingName: 'sensor-2', thingTypeName: 'Sensor' }))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidRequestException);
    expect((refused as Error).message).toBe('Can not create new thing with depreated thing type:Sensor');
    await expect(test.iot.send(new DeleteThingTypeCommand({ thingTypeName: 'Sensor' }))).rejects.toThrow(
      /still associated with things/,
    );
    await test.iot.send(new UpdateThingCommand({ thingName: 'sensor-1', removeThingType: true }));
    await test.iot.send(new DeleteThingTypeCommand({ thingTypeName: 'Sensor' }));
    await expect(
      test.iot.send(new DescribeThingTypeCommand({ thingTypeName: 'Sensor' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('undeprecates a type so it takes new things again', async () => {
    await test.iot.send(new CreateThingTypeCommand({ thingTypeName: 'Relay' }));
    await test.iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'Relay' }));
    await test.iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'Relay', undoDeprecate: true }));
    await test.iot.send(new CreateThingCommand({ thingName: 'relay-1', thingTypeName: 'Relay' }));
    const described = await test.iot.send(new DescribeThingTypeCommand({ thingTypeName: 'Relay' }));
    expect(described.thingTypeMetadata?.deprecated).toBe(false);
    await expect(
      test.iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'Nothing' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('static thing groups through @aws-sdk/client-iot', () => {
  it('CreateThingGroup with a parent, DescribeThingGroup, UpdateThingGroup, ListThingGroups', async () => {
    const root = await test.iot.send(
      new CreateThingGroupCommand({
        thingGroupName: 'plant',
        thingGroupProperties: {
          thingGroupDescription: 'all of it',
          attributePayload: { attributes: { a: '1' } },
        },
      }),
    );
    expect(root.thingGroupArn).toBe('arn:aws:iot:us-east-1:123456789012:thinggroup/plant');
    await test.iot.send(new CreateThingGroupCommand({ thingGroupName: 'hall-a', parentGroupName: 'plant' }));
    await test.iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1', parentGroupName: 'hall-a' }));
    const line = await test.iot.send(new DescribeThingGroupCommand({ thingGroupName: 'line-1' }));
    expect(line.thingGroupMetadata?.parentGroupName).toBe('hall-a');
    expect(line.thingGroupMetadata?.rootToParentThingGroups).toEqual([
      { groupName: 'plant', groupArn: root.thingGroupArn },
      { groupName: 'hall-a', groupArn: 'arn:aws:iot:us-east-1:123456789012:thinggroup/hall-a' },
    ]);
    const plant = await test.iot.send(new DescribeThingGroupCommand({ thingGroupName: 'plant' }));
    expect(plant.thingGroupProperties).toEqual({
      thingGroupDescription: 'all of it',
      attributePayload: { attributes: { a: '1' } },
    });
    expect(plant.version).toBe(1);
    const updated = await test.iot.send(
      new UpdateThingGroupCommand({
        thingGroupName: 'plant',
        thingGroupProperties: { attributePayload: { attributes: { b: '2' }, merge: true } },
        expectedVersion: 1,
      }),
    );
    expect(updated.version).toBe(2);
    await expect(
      test.iot.send(
        new UpdateThingGroupCommand({
          thingGroupName: 'plant',
          thingGroupProperties: {},
          expectedVersion: 1,
        }),
      ),
    ).rejects.toBeInstanceOf(VersionConflictException);

    const names = (groups: Array<{ groupName?: string }> | undefined) => groups?.map((g) => g.groupName);
    const roots = await test.iot.send(new ListThingGroupsCommand({ recursive: false }));
    expect(names(roots.thingGroups)).toContain('plant');
    expect(names(roots.thingGroups)).not.toContain('hall-a');
    const under = await test.iot.send(new ListThingGroupsCommand({ parentGroup: 'plant', recursive: true }));
    expect(names(under.thingGroups)).toEqual(['hall-a', 'line-1']);
    const direct = await test.iot.send(
      new ListThingGroupsCommand({ parentGroup: 'plant', recursive: false }),
    );
    expect(names(direct.thingGroups)).toEqual(['hall-a']);
    const prefixed = await test.iot.send(new ListThingGroupsCommand({ namePrefixFilter: 'line' }));
    expect(names(prefixed.thingGroups)).toEqual(['line-1']);
    await expect(
      test.iot.send(new CreateThingGroupCommand({ thingGroupName: 'orphan', parentGroupName: 'missing' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('adds and removes things by name or ARN, lists both ways, and forgets deleted things', async () => {
    const thing = await test.iot.send(new CreateThingCommand({ thingName: 'press-1' }));
    await test.iot.send(new CreateThingCommand({ thingName: 'press-2' }));
    await test.iot.send(
      new AddThingToThingGroupCommand({ thingGroupName: 'line-1', thingArn: thing.thingArn }),
    );
    await test.iot.send(
      new AddThingToThingGroupCommand({
        thingGroupArn: 'arn:aws:iot:us-east-1:123456789012:thinggroup/hall-a',
        thingName: 'press-2',
      }),
    );
    const inLine = await test.iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'line-1' }));
    expect(inLine.things).toEqual(['press-1']);
    const inHall = await test.iot.send(
      new ListThingsInThingGroupCommand({ thingGroupName: 'plant', recursive: true }),
    );
    expect(inHall.things?.sort()).toEqual(['press-1', 'press-2']);
    const groups = await test.iot.send(new ListThingGroupsForThingCommand({ thingName: 'press-1' }));
    expect(groups.thingGroups).toEqual([
      { groupName: 'line-1', groupArn: 'arn:aws:iot:us-east-1:123456789012:thinggroup/line-1' },
    ]);
    await expect(
      test.iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'hall-a', thingName: 'press-1' })),
    ).rejects.toThrow(/same hierarchy/);
    await expect(test.iot.send(new AddThingToThingGroupCommand({ thingName: 'press-1' }))).rejects.toThrow(
      'Both thingGroupArn and thingGroupName are empty. Need to specify at least one of them',
    );
    await expect(
      test.iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'nope', thingName: 'press-1' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    await test.iot.send(
      new RemoveThingFromThingGroupCommand({ thingGroupName: 'hall-a', thingName: 'press-2' }),
    );
    expect(
      (await test.iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'hall-a' }))).things,
    ).toEqual([]);
    await test.iot.send(new DeleteThingCommand({ thingName: 'press-1' }));
    expect(
      (await test.iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'line-1' }))).things,
    ).toEqual([]);
  });

  it('DeleteThingGroup refuses a group with child groups and succeeds for a missing one', async () => {
    const refused = await test.iot
      .send(new DeleteThingGroupCommand({ thingGroupName: 'hall-a' }))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidRequestException);
    expect((refused as Error).message).toBe(
      'Cannot delete thing group : hall-a when there are still child groups attached to it',
    );
    await test.iot.send(new DeleteThingGroupCommand({ thingGroupName: 'line-1' }));
    await test.iot.send(new DeleteThingGroupCommand({ thingGroupName: 'hall-a' }));
    await test.iot.send(new DeleteThingGroupCommand({ thingGroupName: 'hall-a' }));
    await expect(
      test.iot.send(new DescribeThingGroupCommand({ thingGroupName: 'hall-a' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
