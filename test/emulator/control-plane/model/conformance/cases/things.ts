import {
  AttachThingPrincipalCommand,
  CreateThingCommand,
  DeleteThingCommand,
  DescribeThingCommand,
  DetachThingPrincipalCommand,
  ListPrincipalThingsCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  RegisterThingCommand,
  UpdateThingCommand,
} from '@aws-sdk/client-iot';
import type { ConformanceCase, World } from '../world.js';

async function thing(world: World, attributes: Record<string, string> = { model: 'm1' }): Promise<string> {
  const thingName = world.name('thing');
  await world.iot.send(new CreateThingCommand({ thingName, attributePayload: { attributes } }));
  return thingName;
}

async function attachedThing(world: World): Promise<{ thingName: string; principal: string }> {
  const thingName = await thing(world);
  const principal = (await world.certificate()).certificateArn!;
  await world.iot.send(new AttachThingPrincipalCommand({ thingName, principal }));
  return { thingName, principal };
}

const THING_TEMPLATE = JSON.stringify({
  Parameters: { ThingName: { Type: 'String' } },
  Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } } },
});

export const thingCases: ConformanceCase[] = [
  {
    operation: 'CreateThing',
    success: (world) =>
      world.iot.send(
        new CreateThingCommand({
          thingName: world.name('thing'),
          attributePayload: { attributes: { a: 'b' } },
        }),
      ),
    error: (world) => world.iot.send(new CreateThingCommand({ thingName: 'not a valid name' })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'DescribeThing',
    success: async (world) => world.iot.send(new DescribeThingCommand({ thingName: await thing(world) })),
    error: (world) => world.iot.send(new DescribeThingCommand({ thingName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'UpdateThing',
    success: async (world) =>
      world.iot.send(
        new UpdateThingCommand({
          thingName: await thing(world),
          attributePayload: { attributes: { colour: 'red' }, merge: true },
        }),
      ),
    error: async (world) =>
      world.iot.send(new UpdateThingCommand({ thingName: await thing(world), expectedVersion: 7 })),
    errorCode: 'VersionConflictException',
  },
  {
    operation: 'DeleteThing',
    success: async (world) => world.iot.send(new DeleteThingCommand({ thingName: await thing(world) })),
    error: async (world) =>
      world.iot.send(new DeleteThingCommand({ thingName: (await attachedThing(world)).thingName })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListThings',
    success: async (world) => {
      await thing(world);
      return world.iot.send(new ListThingsCommand({ maxResults: 250 }));
    },
    error: (world) => world.iot.send(new ListThingsCommand({ maxResults: 251 })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'RegisterThing',
    success: (world) =>
      world.iot.send(
        new RegisterThingCommand({
          templateBody: THING_TEMPLATE,
          parameters: { ThingName: world.name('reg') },
        }),
      ),
    error: (world) =>
      world.iot.send(
        new RegisterThingCommand({
          templateBody: THING_TEMPLATE,
          parameters: { ThingName: 'x'.repeat(4097) },
        }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'AttachThingPrincipal',
    success: (world) => attachedThing(world),
    error: async (world) =>
      world.iot.send(
        new AttachThingPrincipalCommand({
          thingName: world.name('missing'),
          principal: (await world.certificate()).certificateArn!,
        }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'DetachThingPrincipal',
    success: async (world) => world.iot.send(new DetachThingPrincipalCommand(await attachedThing(world))),
    error: async (world) =>
      world.iot.send(
        new DetachThingPrincipalCommand({
          thingName: 'bad name!',
          principal: (await world.certificate()).certificateArn!,
        }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListThingPrincipals',
    success: async (world) =>
      world.iot.send(new ListThingPrincipalsCommand({ thingName: (await attachedThing(world)).thingName })),
    error: (world) => world.iot.send(new ListThingPrincipalsCommand({ thingName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'ListPrincipalThings',
    success: async (world) =>
      world.iot.send(new ListPrincipalThingsCommand({ principal: (await attachedThing(world)).principal })),
    error: async (world) =>
      world.iot.send(
        new ListPrincipalThingsCommand({
          principal: (await world.certificate()).certificateArn!,
          maxResults: 0,
        }),
      ),
    errorCode: 'InvalidRequestException',
  },
];
