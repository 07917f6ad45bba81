import type { IamPolicyDocument, IamScope, IamStatement } from '../../src/contract/index.js';
import { runNamePrefix } from './names.js';

/**
 * Building blocks for Scenario.iamPolicies: least-privilege identity policies for a pattern's
 * actors. Actions are the control-plane calls the actor makes (as in the scenario's apiPlan);
 * resources are the run's own where AWS IoT authorises on a resource (names the run gives start
 * with its id), `*` where it authorises on none (creates that mint an id). Region and account
 * are `*` so the same document fits any account.
 */

const iotArn = (type: string, name: string) => `arn:aws:iot:*:*:${type}/${name}`;

/** ARN patterns of what one run makes. */
export function runResources(scope: IamScope) {
  const prefix = runNamePrefix(scope);
  return {
    things: iotArn('thing', `${prefix}-*`),
    policies: iotArn('policy', `${prefix}-*`),
    /** Template names are `<run id>-<purpose>`, or `pb-<tag>-<purpose>` when that is too long. */
    templates: [iotArn('provisioningtemplate', `${prefix}-*`), iotArn('provisioningtemplate', 'pb-*')],
    /** Certificate ids are minted by AWS IoT (or are the certificate's hash): any certificate. */
    certificates: iotArn('cert', '*'),
    thingTypes: iotArn('thingtype', `${prefix}-*`),
    thingGroups: iotArn('thinggroup', `${prefix}-*`),
    roleAliases: iotArn('rolealias', `${prefix}-*`),
  };
}

export function allow(actions: readonly string[], resource: string | readonly string[] = '*'): IamStatement {
  return {
    Effect: 'Allow',
    Action: actions.map((action) => `iot:${action}`),
    Resource: typeof resource === 'string' ? resource : [...resource],
  };
}

/** iam:PassRole of the provisioning role to AWS IoT (JITP templates, fleet provisioning templates). */
export function passProvisioningRole(): IamStatement {
  return {
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: process.env.PROVBENCH_PROVISIONING_ROLE_ARN ?? 'arn:aws:iam::*:role/provbench-provisioning',
    Condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
  };
}

export function iamPolicy(...statements: IamStatement[]): IamPolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** The operator creates the device policy, tagged with the run (tagging on create needs TagResource). */
export function createRunPolicies(scope: IamScope): IamStatement {
  return allow(['CreatePolicy', 'TagResource'], runResources(scope).policies);
}

/** Registering the customer CA: the registration code, then the CA (tagged). */
export function registerCaStatement(): IamStatement {
  return allow(['GetRegistrationCode', 'RegisterCACertificate', 'TagResource']);
}

/** A thing per device, its certificate attached to it and the device policy to the certificate. */
export function createAndAttachThing(scope: IamScope): IamStatement[] {
  const resources = runResources(scope);
  return [
    allow(['CreateThing', 'AttachThingPrincipal'], resources.things),
    allow(['AttachPolicy'], resources.certificates),
  ];
}

/** The thing-type-and-group variants: the operator creates the run's thing type and group (tagged). */
export function classifyThingsStatement(scope: IamScope): IamStatement {
  const { thingTypes, thingGroups } = runResources(scope);
  return allow(['CreateThingType', 'CreateThingGroup', 'TagResource'], [thingTypes, thingGroups]);
}

/**
 * The role-alias-credentials variants: the operator creates the run's role alias (tagged),
 * passes it the devices' role, and looks up the credentials provider's endpoint.
 */
export function roleAliasStatements(scope: IamScope): IamStatement[] {
  return [
    allow(['CreateRoleAlias', 'TagResource'], runResources(scope).roleAliases),
    allow(['DescribeEndpoint']),
    {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource:
        process.env.PROVBENCH_ROLE_ALIAS_ROLE_ARN ?? 'arn:aws:iam::*:role/provbench-device-credentials',
    },
  ];
}
