import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DeleteThingGroupCommand,
  DeleteThingTypeCommand,
  DeprecateThingTypeCommand,
  DescribeThingGroupCommand,
  DescribeThingTypeCommand,
  ListThingGroupsCommand,
  ListThingGroupsForThingCommand,
  ListThingsInThingGroupCommand,
  ListThingTypesCommand,
  RemoveThingFromThingGroupCommand,
  UpdateThingGroupCommand,
  UpdateThingGroupsForThingCommand,
  UpdateThingTypeCommand,
} from '@aws-sdk/client-iot';
import type { ConformanceCase, World } from '../world.js';

async function thingType(world: World): Promise<string> {
  const thingTypeName = world.name('type');
  await world.iot.send(
    new CreateThingTypeCommand({
      thingTypeName,
      thingTypeProperties: { thingTypeDescription: 'sensors', searchableAttributes: ['model'] },
    }),
  );
  return thingTypeName;
}

async function thingGroup(world: World, parentGroupName?: string): Promise<string> {
  const thingGroupName = world.name('group');
  await world.iot.send(
    new CreateThingGroupCommand({
      thingGroupName,
      parentGroupName,
      thingGroupProperties: { attributePayload: { attributes: { site: 'a' } } },
    }),
  );
  return thingGroupName;
}

async function thing(world: World): Promise<string> {
  const thingName = world.name('thing');
  await world.iot.send(new CreateThingCommand({ thingName }));
  return thingName;
}

async function member(world: World): Promise<{ thingName: string; thingGroupName: string }> {
  const thingGroupName = await thingGroup(world);
  const thingName = await thing(world);
  await world.iot.send(new AddThingToThingGroupCommand({ thingGroupName, thingName }));
  return { thingName, thingGroupName };
}

export const thingGroupCases: ConformanceCase[] = [
  {
    operation: 'CreateThingType',
    success: (world) =>
      world.iot.send(
        new CreateThingTypeCommand({
          thingTypeName: world.name('type'),
          thingTypeProperties: { searchableAttributes: ['model'] },
        }),
      ),
    error: (world) => world.iot.send(new CreateThingTypeCommand({ thingTypeName: 'not a valid name' })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'DescribeThingType',
    success: async (world) =>
      world.iot.send(new DescribeThingTypeCommand({ thingTypeName: await thingType(world) })),
    error: (world) => world.iot.send(new DescribeThingTypeCommand({ thingTypeName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'DeprecateThingType',
    success: async (world) =>
      world.iot.send(new DeprecateThingTypeCommand({ thingTypeName: await thingType(world) })),
    error: (world) => world.iot.send(new DeprecateThingTypeCommand({ thingTypeName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'DeleteThingType',
    // Deleting needs a deprecated type (this emulator waits 0 s after deprecation, AWS 5 minutes).
    success: async (world) => {
      const thingTypeName = await thingType(world);
      await world.iot.send(new DeprecateThingTypeCommand({ thingTypeName }));
      return world.iot.send(new DeleteThingTypeCommand({ thingTypeName }));
    },
    error: async (world) =>
      world.iot.send(new DeleteThingTypeCommand({ thingTypeName: await thingType(world) })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'UpdateThingType',
    success: async (world) =>
      world.iot.send(
        new UpdateThingTypeCommand({
          thingTypeName: await thingType(world),
          thingTypeProperties: {
            mqtt5Configuration: {
              propagatingAttributes: [{ userPropertyKey: 'model', thingAttribute: 'model' }],
            },
          },
        }),
      ),
    // AWS refuses any property but mqtt5Configuration.
    error: async (world) =>
      world.iot.send(
        new UpdateThingTypeCommand({
          thingTypeName: await thingType(world),
          thingTypeProperties: { searchableAttributes: ['serial'] },
        }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListThingTypes',
    success: async (world) => {
      await thingType(world);
      return world.iot.send(new ListThingTypesCommand({ maxResults: 250 }));
    },
    error: (world) => world.iot.send(new ListThingTypesCommand({ maxResults: 251 })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'CreateThingGroup',
    success: async (world) =>
      world.iot.send(
        new CreateThingGroupCommand({
          thingGroupName: world.name('group'),
          parentGroupName: await thingGroup(world),
        }),
      ),
    error: (world) => world.iot.send(new CreateThingGroupCommand({ thingGroupName: 'not a valid name' })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'DescribeThingGroup',
    success: async (world) =>
      world.iot.send(new DescribeThingGroupCommand({ thingGroupName: await thingGroup(world) })),
    error: (world) =>
      world.iot.send(new DescribeThingGroupCommand({ thingGroupName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'UpdateThingGroup',
    success: async (world) =>
      world.iot.send(
        new UpdateThingGroupCommand({
          thingGroupName: await thingGroup(world),
          thingGroupProperties: { thingGroupDescription: 'updated' },
        }),
      ),
    error: async (world) =>
      world.iot.send(
        new UpdateThingGroupCommand({
          thingGroupName: await thingGroup(world),
          thingGroupProperties: {},
          expectedVersion: 7,
        }),
      ),
    errorCode: 'VersionConflictException',
  },
  {
    operation: 'DeleteThingGroup',
    success: async (world) =>
      world.iot.send(new DeleteThingGroupCommand({ thingGroupName: await thingGroup(world) })),
    error: async (world) => {
      const parent = await thingGroup(world);
      await thingGroup(world, parent);
      return world.iot.send(new DeleteThingGroupCommand({ thingGroupName: parent }));
    },
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListThingGroups',
    success: async (world) => {
      await thingGroup(world);
      return world.iot.send(new ListThingGroupsCommand({ maxResults: 250 }));
    },
    error: (world) => world.iot.send(new ListThingGroupsCommand({ maxResults: 251 })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'AddThingToThingGroup',
    success: async (world) =>
      world.iot.send(
        new AddThingToThingGroupCommand({
          thingGroupName: await thingGroup(world),
          thingName: await thing(world),
        }),
      ),
    error: async (world) =>
      world.iot.send(
        new AddThingToThingGroupCommand({
          thingGroupName: world.name('missing'),
          thingName: await thing(world),
        }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'RemoveThingFromThingGroup',
    success: async (world) => world.iot.send(new RemoveThingFromThingGroupCommand(await member(world))),
    error: async (world) =>
      world.iot.send(
        new RemoveThingFromThingGroupCommand({
          thingGroupName: world.name('missing'),
          thingName: await thing(world),
        }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'UpdateThingGroupsForThing',
    success: async (world) => {
      const { thingName, thingGroupName } = await member(world);
      return world.iot.send(
        new UpdateThingGroupsForThingCommand({
          thingName,
          thingGroupsToAdd: [await thingGroup(world)],
          thingGroupsToRemove: [thingGroupName],
          overrideDynamicGroups: false,
        }),
      );
    },
    error: async (world) =>
      world.iot.send(
        new UpdateThingGroupsForThingCommand({
          thingName: await thing(world),
          thingGroupsToAdd: [world.name('missing')],
        }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'ListThingsInThingGroup',
    success: async (world) =>
      world.iot.send(
        new ListThingsInThingGroupCommand({ thingGroupName: (await member(world)).thingGroupName }),
      ),
    error: (world) =>
      world.iot.send(new ListThingsInThingGroupCommand({ thingGroupName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'ListThingGroupsForThing',
    success: async (world) =>
      world.iot.send(new ListThingGroupsForThingCommand({ thingName: (await member(world)).thingName })),
    error: (world) =>
      world.iot.send(new ListThingGroupsForThingCommand({ thingName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
];
