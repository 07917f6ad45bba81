import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleAliasCommand,
  DeletePolicyVersionCommand,
  DeleteRoleAliasCommand,
  DescribeRoleAliasCommand,
  GetPolicyVersionCommand,
  ListPolicyPrincipalsCommand,
  ListPolicyVersionsCommand,
  ListPrincipalPoliciesCommand,
  ListRoleAliasesCommand,
  SetDefaultPolicyVersionCommand,
  UpdateRoleAliasCommand,
} from '@aws-sdk/client-iot';
import type { ConformanceCase, World } from '../world.js';

const DOCUMENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
});
const ROLE_ARN = 'arn:aws:iam::123456789012:role/conformance';

/** A policy with a second version that is not the default. */
async function versionedPolicy(world: World): Promise<string> {
  const policyName = world.name('policy');
  await world.iot.send(new CreatePolicyCommand({ policyName, policyDocument: DOCUMENT }));
  await world.iot.send(new CreatePolicyVersionCommand({ policyName, policyDocument: DOCUMENT }));
  return policyName;
}

async function attachedPolicy(world: World): Promise<{ policyName: string; principal: string }> {
  const policyName = await versionedPolicy(world);
  const principal = (await world.certificate()).certificateArn!;
  await world.iot.send(new AttachPolicyCommand({ policyName, target: principal }));
  return { policyName, principal };
}

async function roleAlias(world: World): Promise<string> {
  const alias = world.name('alias');
  await world.iot.send(new CreateRoleAliasCommand({ roleAlias: alias, roleArn: ROLE_ARN }));
  return alias;
}

export const policyVersionAndRoleAliasCases: ConformanceCase[] = [
  {
    operation: 'CreatePolicyVersion',
    success: async (world) =>
      world.iot.send(
        new CreatePolicyVersionCommand({
          policyName: await versionedPolicy(world),
          policyDocument: DOCUMENT,
          setAsDefault: true,
        }),
      ),
    error: (world) =>
      world.iot.send(
        new CreatePolicyVersionCommand({ policyName: world.name('missing'), policyDocument: DOCUMENT }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'ListPolicyVersions',
    success: async (world) =>
      world.iot.send(new ListPolicyVersionsCommand({ policyName: await versionedPolicy(world) })),
    error: (world) => world.iot.send(new ListPolicyVersionsCommand({ policyName: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'GetPolicyVersion',
    success: async (world) =>
      world.iot.send(
        new GetPolicyVersionCommand({ policyName: await versionedPolicy(world), policyVersionId: '2' }),
      ),
    error: async (world) =>
      world.iot.send(
        new GetPolicyVersionCommand({ policyName: await versionedPolicy(world), policyVersionId: '9' }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'SetDefaultPolicyVersion',
    success: async (world) =>
      world.iot.send(
        new SetDefaultPolicyVersionCommand({
          policyName: await versionedPolicy(world),
          policyVersionId: '2',
        }),
      ),
    error: async (world) =>
      world.iot.send(
        new SetDefaultPolicyVersionCommand({
          policyName: await versionedPolicy(world),
          policyVersionId: '9',
        }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'DeletePolicyVersion',
    success: async (world) =>
      world.iot.send(
        new DeletePolicyVersionCommand({ policyName: await versionedPolicy(world), policyVersionId: '2' }),
      ),
    // Version 1 is the default: AWS refuses to delete it.
    error: async (world) =>
      world.iot.send(
        new DeletePolicyVersionCommand({ policyName: await versionedPolicy(world), policyVersionId: '1' }),
      ),
    errorCode: 'DeleteConflictException',
  },
  {
    operation: 'ListPrincipalPolicies',
    success: async (world) =>
      world.iot.send(
        new ListPrincipalPoliciesCommand({ principal: (await attachedPolicy(world)).principal }),
      ),
    error: async (world) =>
      world.iot.send(
        new ListPrincipalPoliciesCommand({
          principal: (await attachedPolicy(world)).principal,
          pageSize: 251,
        }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListPolicyPrincipals',
    success: async (world) =>
      world.iot.send(
        new ListPolicyPrincipalsCommand({ policyName: (await attachedPolicy(world)).policyName }),
      ),
    error: async (world) =>
      world.iot.send(
        new ListPolicyPrincipalsCommand({
          policyName: (await attachedPolicy(world)).policyName,
          pageSize: 251,
        }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'CreateRoleAlias',
    success: (world) =>
      world.iot.send(
        new CreateRoleAliasCommand({
          roleAlias: world.name('alias'),
          roleArn: ROLE_ARN,
          credentialDurationSeconds: 1800,
        }),
      ),
    error: (world) =>
      world.iot.send(
        new CreateRoleAliasCommand({
          roleAlias: world.name('alias'),
          roleArn: ROLE_ARN,
          credentialDurationSeconds: 100,
        }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'DescribeRoleAlias',
    success: async (world) =>
      world.iot.send(new DescribeRoleAliasCommand({ roleAlias: await roleAlias(world) })),
    error: (world) => world.iot.send(new DescribeRoleAliasCommand({ roleAlias: world.name('missing') })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'ListRoleAliases',
    success: async (world) => {
      await roleAlias(world);
      return world.iot.send(new ListRoleAliasesCommand({ pageSize: 250 }));
    },
    error: (world) => world.iot.send(new ListRoleAliasesCommand({ pageSize: 251 })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'UpdateRoleAlias',
    success: async (world) =>
      world.iot.send(
        new UpdateRoleAliasCommand({ roleAlias: await roleAlias(world), credentialDurationSeconds: 7200 }),
      ),
    error: (world) =>
      world.iot.send(
        new UpdateRoleAliasCommand({ roleAlias: world.name('missing'), credentialDurationSeconds: 7200 }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'DeleteRoleAlias',
    success: async (world) =>
      world.iot.send(new DeleteRoleAliasCommand({ roleAlias: await roleAlias(world) })),
    error: (world) => world.iot.send(new DeleteRoleAliasCommand({ roleAlias: 'not a valid alias' })),
    errorCode: 'InvalidRequestException',
  },
];
