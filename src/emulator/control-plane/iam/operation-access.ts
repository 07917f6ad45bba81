import type { IotArns } from '../../registry/index.js';
import type { OperationInput } from '../input.js';
import type { OperationName } from '../routes.js';

/**
 * What IAM authorises for each control-plane operation: the action and the resource ARN, as the
 * Service Authorization Reference ("Actions, resources, and condition keys for AWS IoT") lists
 * them. Operations without a resource type (creates that mint an id, lists, the registration
 * code, the endpoint) authorise on `*`. One row per ROUTES operation (test/emulator/iam checks).
 */
export interface OperationAccess {
  action: string;
  resource: (input: OperationInput, arns: IotArns) => string;
}

const ANY = () => '*';

function label(input: OperationInput, name: string): string {
  return input.labels[name] ?? '';
}

function bodyString(input: OperationInput, name: string): string {
  const value = input.body[name];
  return typeof value === 'string' ? value : '';
}

const thing = (input: OperationInput, arns: IotArns) => arns.thing(label(input, 'thingName'));
const certificate = (input: OperationInput, arns: IotArns) => arns.certificate(label(input, 'certificateId'));
const caCertificate = (input: OperationInput, arns: IotArns) =>
  arns.caCertificate(label(input, 'caCertificateId'));
const policy = (input: OperationInput, arns: IotArns) => arns.policy(label(input, 'policyName'));
const template = (input: OperationInput, arns: IotArns) =>
  arns.provisioningTemplate(label(input, 'templateName'));
const templateInBody = (input: OperationInput, arns: IotArns) =>
  arns.provisioningTemplate(bodyString(input, 'templateName'));
const thingType = (input: OperationInput, arns: IotArns) => arns.thingType(label(input, 'thingTypeName'));
const thingGroup = (input: OperationInput, arns: IotArns) => arns.thingGroup(label(input, 'thingGroupName'));
/** Group membership calls authorise on the group (named in the body by name or ARN). */
const thingGroupInBody = (input: OperationInput, arns: IotArns) =>
  bodyString(input, 'thingGroupArn') ||
  (bodyString(input, 'thingGroupName') ? arns.thingGroup(bodyString(input, 'thingGroupName')) : '*');
/** UpdateThingGroupsForThing authorises on the thing named in the body. */
const thingInBody = (input: OperationInput, arns: IotArns) =>
  bodyString(input, 'thingName') ? arns.thing(bodyString(input, 'thingName')) : '*';
const roleAlias = (input: OperationInput, arns: IotArns) => arns.roleAlias(label(input, 'roleAlias'));
/** ListPolicyPrincipals names its policy in the `x-amzn-iot-policy` header. */
const policyInHeader = (input: OperationInput, arns: IotArns) => {
  const header = input.headers['x-amzn-iot-policy'];
  const name = Array.isArray(header) ? header[0] : header;
  return name ? arns.policy(name) : '*';
};
const rule = (input: OperationInput, arns: IotArns) => arns.topicRule(label(input, 'ruleName'));
/** AttachPolicy/DetachPolicy authorise on the target (a certificate ARN, a thing group ARN). */
const policyTarget = (input: OperationInput) => bodyString(input, 'target') || '*';
/** Tagging authorises on the tagged resource. */
const taggedResource = (input: OperationInput) =>
  bodyString(input, 'resourceArn') || input.query.get('resourceArn') || '*';

const rows: Record<OperationName, OperationAccess['resource']> = {
  CreateKeysAndCertificate: ANY,
  CreateCertificateFromCsr: ANY,
  RegisterCertificate: ANY,
  RegisterCertificateWithoutCA: ANY,
  DescribeCertificate: certificate,
  UpdateCertificate: certificate,
  DeleteCertificate: certificate,
  ListCertificates: ANY,
  ListCertificatesByCA: ANY,
  GetRegistrationCode: ANY,
  DeleteRegistrationCode: ANY,
  RegisterCACertificate: ANY,
  DescribeCACertificate: caCertificate,
  UpdateCACertificate: caCertificate,
  DeleteCACertificate: caCertificate,
  ListCACertificates: ANY,
  CreateThing: thing,
  DescribeThing: thing,
  UpdateThing: thing,
  DeleteThing: thing,
  ListThings: ANY,
  RegisterThing: ANY,
  AttachThingPrincipal: thing,
  DetachThingPrincipal: thing,
  ListThingPrincipals: thing,
  ListPrincipalThings: ANY,
  CreatePolicy: policy,
  GetPolicy: policy,
  DeletePolicy: policy,
  ListPolicies: ANY,
  AttachPolicy: policyTarget,
  DetachPolicy: policyTarget,
  ListAttachedPolicies: ANY,
  ListTargetsForPolicy: policy,
  CreateProvisioningTemplate: templateInBody,
  ListProvisioningTemplates: ANY,
  DescribeProvisioningTemplate: template,
  UpdateProvisioningTemplate: template,
  DeleteProvisioningTemplate: template,
  CreateProvisioningClaim: template,
  DescribeEndpoint: ANY,
  CreateTopicRule: rule,
  GetTopicRule: rule,
  DeleteTopicRule: rule,
  ListTopicRules: ANY,
  TagResource: taggedResource,
  UntagResource: taggedResource,
  ListTagsForResource: taggedResource,
  CreateThingType: thingType,
  DescribeThingType: thingType,
  UpdateThingType: thingType,
  DeleteThingType: thingType,
  ListThingTypes: ANY,
  DeprecateThingType: thingType,
  CreateThingGroup: thingGroup,
  DescribeThingGroup: thingGroup,
  UpdateThingGroup: thingGroup,
  DeleteThingGroup: thingGroup,
  ListThingGroups: ANY,
  AddThingToThingGroup: thingGroupInBody,
  RemoveThingFromThingGroup: thingGroupInBody,
  UpdateThingGroupsForThing: thingInBody,
  ListThingsInThingGroup: thingGroup,
  ListThingGroupsForThing: thing,
  CreatePolicyVersion: policy,
  ListPolicyVersions: policy,
  GetPolicyVersion: policy,
  SetDefaultPolicyVersion: policy,
  DeletePolicyVersion: policy,
  ListPrincipalPolicies: ANY,
  ListPolicyPrincipals: policyInHeader,
  CreateRoleAlias: roleAlias,
  DescribeRoleAlias: roleAlias,
  ListRoleAliases: ANY,
  UpdateRoleAlias: roleAlias,
  DeleteRoleAlias: roleAlias,
};

/** Access by operation name; today every operation's action is `iot:<Operation>`. */
export const OPERATION_ACCESS: Readonly<Record<string, OperationAccess>> = Object.fromEntries(
  Object.entries(rows).map(([operation, resource]) => [operation, { action: `iot:${operation}`, resource }]),
);
