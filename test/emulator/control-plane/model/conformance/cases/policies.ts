import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachPolicyCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListPoliciesCommand,
  ListTargetsForPolicyCommand,
} from '@aws-sdk/client-iot';
import type { ConformanceCase, World } from '../world.js';

const DOCUMENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
});

async function policy(world: World): Promise<string> {
  const policyName = world.name('policy');
  await world.iot.send(new CreatePolicyCommand({ policyName, policyDocument: DOCUMENT }));
  return policyName;
}

async function attachedPolicy(world: World): Promise<{ policyName: string; target: string }> {
  const policyName = await policy(world);
  const target = (await world.certificate()).certificateArn!;
  await world.iot.send(new AttachPolicyCommand({ policyName, target }));
  return { policyName, target };
}

export const policyCases: ConformanceCase[] = [
  {
    operation: 'CreatePolicy',
    success: (world) =>
      world.iot.send(
        new CreatePolicyCommand({
          policyName: world.name('policy'),
          policyDocument: DOCUMENT,
          tags: [{ Key: 'team', Value: 'fleet' }],
        }),
      ),
    error: (world) =>
      world.iot.send(
        new CreatePolicyCommand({ policyName: world.name('policy'), policyDocument: '{"nope": 1}' }),
      ),
    errorCode: 'MalformedPolicyException',
  },
  {
    operation: 'GetPolicy',
    success: async (world) => world.iot.send(new GetPolicyCommand({ policyName: await policy(world) })),
    error: (world) => world.iot.send(new GetPolicyCommand({ policyName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'DeletePolicy',
    success: async (world) => world.iot.send(new DeletePolicyCommand({ policyName: await policy(world) })),
    error: (world) => world.iot.send(new DeletePolicyCommand({ policyName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'ListPolicies',
    success: async (world) => {
      await policy(world);
      return world.iot.send(new ListPoliciesCommand({}));
    },
    error: (world) => world.iot.send(new ListPoliciesCommand({ pageSize: 0 })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'AttachPolicy',
    success: (world) => attachedPolicy(world),
    error: async (world) =>
      world.iot.send(
        new AttachPolicyCommand({
          policyName: world.name('missing'),
          target: (await world.certificate()).certificateArn!,
        }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'DetachPolicy',
    success: async (world) => world.iot.send(new DetachPolicyCommand(await attachedPolicy(world))),
    error: async (world) =>
      world.iot.send(
        new DetachPolicyCommand({
          policyName: 'no spaces',
          target: (await world.certificate()).certificateArn!,
        }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListAttachedPolicies',
    success: async (world) =>
      world.iot.send(new ListAttachedPoliciesCommand({ target: (await attachedPolicy(world)).target })),
    error: async (world) =>
      world.iot.send(
        new ListAttachedPoliciesCommand({ target: (await world.certificate()).certificateArn!, pageSize: 0 }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListTargetsForPolicy',
    success: async (world) =>
      world.iot.send(
        new ListTargetsForPolicyCommand({ policyName: (await attachedPolicy(world)).policyName }),
      ),
    error: (world) => world.iot.send(new ListTargetsForPolicyCommand({ policyName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
];
