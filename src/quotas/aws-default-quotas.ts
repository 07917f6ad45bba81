/**
 * AWS IoT Core default quotas (per account, per Region, "Default" column), from
 * shared/reference/aws-iot.md section 9 (AWS General Reference, "AWS IoT Core endpoints and
 * quotas"). A leaf module: the emulator enforces these, the engine projects fleet times from
 * them. Override any value with a JSON file of the same shape (see loadQuotaOverrides).
 */

/** Control-plane API transactions per second, by operation name as the SDK names it. */
export const CONTROL_PLANE_TPS: Readonly<Record<string, number>> = {
  CreateKeysAndCertificate: 10,
  CreateCertificateFromCsr: 15,
  RegisterCertificate: 10,
  RegisterCertificateWithoutCA: 10,
  RegisterCACertificate: 10,
  UpdateCACertificate: 10,
  DeleteCACertificate: 10,
  DescribeCACertificate: 10,
  ListCACertificates: 10,
  ListCertificatesByCA: 10,
  GetRegistrationCode: 10,
  DeleteRegistrationCode: 10,
  DescribeCertificate: 10,
  UpdateCertificate: 10,
  DeleteCertificate: 10,
  ListCertificates: 10,
  CreateThing: 100,
  DeleteThing: 100,
  UpdateThing: 100,
  DescribeThing: 350,
  ListThings: 10,
  AttachThingPrincipal: 100,
  DetachThingPrincipal: 100,
  ListThingPrincipals: 20,
  ListPrincipalThings: 10,
  AttachPolicy: 15,
  DetachPolicy: 15,
  CreatePolicy: 10,
  DeletePolicy: 10,
  GetPolicy: 10,
  CreatePolicyVersion: 10,
  ListAttachedPolicies: 15,
  ListPrincipalPolicies: 15,
  ListTargetsForPolicy: 15,
  RegisterThing: 10,
  CreateProvisioningTemplate: 10,
  DescribeProvisioningTemplate: 10,
  ListProvisioningTemplates: 10,
  UpdateProvisioningTemplate: 10,
  DeleteProvisioningTemplate: 10,
  CreateProvisioningClaim: 10,
  DescribeEndpoint: 10,
  CreateTopicRule: 5,
  DeleteTopicRule: 20,
  GetTopicRule: 200,
  TagResource: 10,
  UntagResource: 10,
  ListTagsForResource: 10,
  // Thing groups and types: AddThingToThingGroup from the same table (aws-iot.md section 9);
  // DescribeThingGroup and DescribeThingType from aws-iot-builder-tools/thingpress
  // doc/aws-api-limits.md ("last checked 6/13/2025" against the AWS IoT Core quotas page).
  // The other thing type and group operations have no sourced default here: not throttled.
  AddThingToThingGroup: 100,
  DescribeThingGroup: 100,
  DescribeThingType: 100,
};

/** Quotas that are not one control-plane API. */
export const ACCOUNT_LIMITS = {
  /** Device certificates registered per second (RegisterCertificate, JITR, JITP bursts). */
  deviceCertificateRegistrationsPerSecond: 15,
  /** MQTT CONNECT requests per second per account. */
  connectsPerSecond: 500,
  /** MQTT CONNECT requests per second per client ID (not adjustable). */
  connectsPerSecondPerClientId: 1,
  /** Fleet provisioning MQTT API TPS. */
  fleetCreateKeysAndCertificatePerSecond: 10,
  fleetCreateCertificateFromCsrPerSecond: 100,
  fleetRegisterThingPerSecond: 10,
  /** Trusted-user provisioning claims per second (not adjustable). */
  provisioningClaimsPerSecond: 10,
  caCertificatesPerSubject: 10,
  policiesPerPrincipal: 10,
  /** Role aliases per account ("Security and identity": 100 role aliases). */
  roleAliases: 100,
  /** Credentials provider: AssumeRoleWithCertificate requests per second (100 in us-east-1, us-west-2, eu-west-1). */
  assumeRoleWithCertificatePerSecond: 50,
  subscriptionsPerSecond: 500,
  publishesPerSecondPerConnection: 100,
  // Retained and queued messages: the same page's message broker table (not in aws-iot.md).
  /** Retained messages stored per account (500 in select Regions); publishes over it are throttled. */
  retainedMessages: 5_000,
  /** Retained publishes (MQTT or HTTP) per second per account (50 in select Regions). */
  retainedPublishesPerSecond: 500,
  /** Retained publishes per second to one topic (not adjustable). */
  retainedPublishesPerSecondPerTopic: 1,
  /** Messages stored for offline persistent sessions per second per account; more are dropped. */
  queuedMessagesPerSecond: 500,
} as const;

export type AccountLimitName = keyof typeof ACCOUNT_LIMITS;

export interface QuotaTable {
  controlPlaneTps: Record<string, number>;
  limits: Record<AccountLimitName, number>;
}

export function defaultQuotaTable(): QuotaTable {
  return { controlPlaneTps: { ...CONTROL_PLANE_TPS }, limits: { ...ACCOUNT_LIMITS } };
}

/**
 * Applies an override document `{ "controlPlaneTps": {...}, "limits": {...} }` on top of the
 * defaults. Unknown names are rejected so a typo does not silently leave a default in force.
 */
export function applyQuotaOverrides(base: QuotaTable, overrides: unknown): QuotaTable {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new Error('quota overrides must be a JSON object with "controlPlaneTps" and/or "limits"');
  }
  const result: QuotaTable = {
    controlPlaneTps: { ...base.controlPlaneTps },
    limits: { ...base.limits },
  };
  for (const [section, values] of Object.entries(overrides)) {
    if (section !== 'controlPlaneTps' && section !== 'limits') {
      throw new Error(`unknown quota section "${section}": use "controlPlaneTps" or "limits"`);
    }
    if (typeof values !== 'object' || values === null) {
      throw new Error(`quota section "${section}" must be an object of name: number`);
    }
    const target = section === 'controlPlaneTps' ? result.controlPlaneTps : result.limits;
    for (const [name, value] of Object.entries(values)) {
      if (!(name in target)) {
        throw new Error(`unknown quota "${section}.${name}"; known: ${Object.keys(target).join(', ')}`);
      }
      if (typeof value !== 'number' || !(value > 0)) {
        throw new Error(`quota "${section}.${name}" must be a positive number, got ${JSON.stringify(value)}`);
      }
      (target as Record<string, number>)[name] = value;
    }
  }
  return result;
}
