/** AWS IoT REST-JSON routes (botocore service-2.json): method + path template → operation. */
export const ROUTES = [
  ['POST', '/keys-and-certificate', 'CreateKeysAndCertificate'],
  ['POST', '/certificates', 'CreateCertificateFromCsr'],
  ['POST', '/certificate/register', 'RegisterCertificate'],
  ['POST', '/certificate/register-no-ca', 'RegisterCertificateWithoutCA'],
  ['GET', '/certificates/{certificateId}', 'DescribeCertificate'],
  ['PUT', '/certificates/{certificateId}', 'UpdateCertificate'],
  ['DELETE', '/certificates/{certificateId}', 'DeleteCertificate'],
  ['GET', '/certificates', 'ListCertificates'],
  ['GET', '/certificates-by-ca/{caCertificateId}', 'ListCertificatesByCA'],
  ['GET', '/registrationcode', 'GetRegistrationCode'],
  ['DELETE', '/registrationcode', 'DeleteRegistrationCode'],
  ['POST', '/cacertificate', 'RegisterCACertificate'],
  ['GET', '/cacertificate/{caCertificateId}', 'DescribeCACertificate'],
  ['PUT', '/cacertificate/{caCertificateId}', 'UpdateCACertificate'],
  ['DELETE', '/cacertificate/{caCertificateId}', 'DeleteCACertificate'],
  ['GET', '/cacertificates', 'ListCACertificates'],
  ['POST', '/things/{thingName}', 'CreateThing'],
  ['GET', '/things/{thingName}', 'DescribeThing'],
  ['PATCH', '/things/{thingName}', 'UpdateThing'],
  ['DELETE', '/things/{thingName}', 'DeleteThing'],
  ['GET', '/things', 'ListThings'],
  ['POST', '/things', 'RegisterThing'],
  ['PUT', '/things/{thingName}/principals', 'AttachThingPrincipal'],
  ['DELETE', '/things/{thingName}/principals', 'DetachThingPrincipal'],
  ['GET', '/things/{thingName}/principals', 'ListThingPrincipals'],
  ['GET', '/principals/things', 'ListPrincipalThings'],
  ['POST', '/policies/{policyName}', 'CreatePolicy'],
  ['GET', '/policies/{policyName}', 'GetPolicy'],
  ['DELETE', '/policies/{policyName}', 'DeletePolicy'],
  ['GET', '/policies', 'ListPolicies'],
  ['PUT', '/target-policies/{policyName}', 'AttachPolicy'],
  ['POST', '/target-policies/{policyName}', 'DetachPolicy'],
  ['POST', '/attached-policies/{target}', 'ListAttachedPolicies'],
  ['POST', '/policy-targets/{policyName}', 'ListTargetsForPolicy'],
  ['POST', '/provisioning-templates', 'CreateProvisioningTemplate'],
  ['GET', '/provisioning-templates', 'ListProvisioningTemplates'],
  ['GET', '/provisioning-templates/{templateName}', 'DescribeProvisioningTemplate'],
  ['PATCH', '/provisioning-templates/{templateName}', 'UpdateProvisioningTemplate'],
  ['DELETE', '/provisioning-templates/{templateName}', 'DeleteProvisioningTemplate'],
  ['POST', '/provisioning-templates/{templateName}/provisioning-claim', 'CreateProvisioningClaim'],
  ['GET', '/endpoint', 'DescribeEndpoint'],
  ['POST', '/rules/{ruleName}', 'CreateTopicRule'],
  ['GET', '/rules/{ruleName}', 'GetTopicRule'],
  ['DELETE', '/rules/{ruleName}', 'DeleteTopicRule'],
  ['GET', '/rules', 'ListTopicRules'],
  ['POST', '/tags', 'TagResource'],
  ['POST', '/untag', 'UntagResource'],
  ['GET', '/tags', 'ListTagsForResource'],
  ['POST', '/thing-types/{thingTypeName}', 'CreateThingType'],
  ['GET', '/thing-types/{thingTypeName}', 'DescribeThingType'],
  ['PATCH', '/thing-types/{thingTypeName}', 'UpdateThingType'],
  ['DELETE', '/thing-types/{thingTypeName}', 'DeleteThingType'],
  ['GET', '/thing-types', 'ListThingTypes'],
  ['POST', '/thing-types/{thingTypeName}/deprecate', 'DeprecateThingType'],
  ['POST', '/thing-groups/{thingGroupName}', 'CreateThingGroup'],
  ['GET', '/thing-groups/{thingGroupName}', 'DescribeThingGroup'],
  ['PATCH', '/thing-groups/{thingGroupName}', 'UpdateThingGroup'],
  ['DELETE', '/thing-groups/{thingGroupName}', 'DeleteThingGroup'],
  ['GET', '/thing-groups', 'ListThingGroups'],
  ['PUT', '/thing-groups/addThingToThingGroup', 'AddThingToThingGroup'],
  ['PUT', '/thing-groups/removeThingFromThingGroup', 'RemoveThingFromThingGroup'],
  ['PUT', '/thing-groups/updateThingGroupsForThing', 'UpdateThingGroupsForThing'],
  ['GET', '/thing-groups/{thingGroupName}/things', 'ListThingsInThingGroup'],
  ['GET', '/things/{thingName}/thing-groups', 'ListThingGroupsForThing'],
  ['POST', '/policies/{policyName}/version', 'CreatePolicyVersion'],
  ['GET', '/policies/{policyName}/version', 'ListPolicyVersions'],
  ['GET', '/policies/{policyName}/version/{policyVersionId}', 'GetPolicyVersion'],
  ['PATCH', '/policies/{policyName}/version/{policyVersionId}', 'SetDefaultPolicyVersion'],
  ['DELETE', '/policies/{policyName}/version/{policyVersionId}', 'DeletePolicyVersion'],
  ['GET', '/principal-policies', 'ListPrincipalPolicies'],
  ['GET', '/policy-principals', 'ListPolicyPrincipals'],
  ['POST', '/role-aliases/{roleAlias}', 'CreateRoleAlias'],
  ['GET', '/role-aliases/{roleAlias}', 'DescribeRoleAlias'],
  ['GET', '/role-aliases', 'ListRoleAliases'],
  ['PUT', '/role-aliases/{roleAlias}', 'UpdateRoleAlias'],
  ['DELETE', '/role-aliases/{roleAlias}', 'DeleteRoleAlias'],
] as const;

export type OperationName = (typeof ROUTES)[number][2];

interface CompiledRoute {
  method: string;
  segments: Array<{ literal: string } | { label: string }>;
  operation: OperationName;
}

const COMPILED: CompiledRoute[] = ROUTES.map(([method, path, operation]) => ({
  method,
  operation,
  segments: path
    .split('/')
    .slice(1)
    .map((segment) => (segment.startsWith('{') ? { label: segment.slice(1, -1) } : { literal: segment })),
}));

export type RouteMatch =
  | { kind: 'match'; operation: OperationName; labels: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' }
  | { kind: 'bad-encoding'; segment: string };

/** Matches a raw (still percent-encoded) path; labels come back decoded (`%3A` → `:`, `%2F` → `/`). */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  const parts = rawPath.split('/').slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const allowed: string[] = [];
  for (const route of COMPILED) {
    if (route.segments.length !== parts.length) continue;
    const labels: Record<string, string> = {};
    let matches = true;
    for (let index = 0; index < parts.length && matches; index += 1) {
      const segment = route.segments[index]!;
      const part = parts[index]!;
      if ('literal' in segment) {
        matches = segment.literal === part;
      } else if (part === '') {
        matches = false;
      } else {
        try {
          labels[segment.label] = decodeURIComponent(part);
        } catch {
          return { kind: 'bad-encoding', segment: part };
        }
      }
    }
    if (!matches) continue;
    if (route.method === method) return { kind: 'match', operation: route.operation, labels };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
}
