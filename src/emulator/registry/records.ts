/** What the registry stores. Timestamps are epoch milliseconds. */

export type CertificateStatus =
  | 'ACTIVE'
  | 'INACTIVE'
  | 'REVOKED'
  | 'PENDING_TRANSFER'
  | 'REGISTER_INACTIVE'
  | 'PENDING_ACTIVATION';
export type CaCertificateStatus = 'ACTIVE' | 'INACTIVE';
export type AutoRegistrationStatus = 'ENABLE' | 'DISABLE';
export type CertificateMode = 'DEFAULT' | 'SNI_ONLY';

/** The bookkeeping fields certificate and CA-certificate records share. */
export interface RecordStamp {
  creationDate: number;
  lastModifiedDate: number;
  customerVersion: number;
  generationId: string;
  validity: { notBefore: number; notAfter: number };
  /** Ordering key for pagination. */
  sequence: number;
}

export interface CertificateRecord extends RecordStamp {
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  status: CertificateStatus;
  /** Set when a registered CA signed it (RegisterCertificate, JITR, JITP). */
  caCertificateId?: string;
  certificateMode: CertificateMode;
  /** How it came to be: AWS-issued, from a CSR, registered, or a provisioning claim. */
  origin: 'keys-and-certificate' | 'csr' | 'registered' | 'registered-without-ca' | 'provisioning-claim';
  /** Provisioning claims are not listed and stop working at this time. */
  expiresAt?: number;
  /** The fleet-provisioning template a provisioning claim was made for. */
  provisioningTemplateName?: string;
}

export interface RegistrationConfig {
  templateBody?: string;
  roleArn?: string;
  templateName?: string;
}

export interface CaCertificateRecord extends RecordStamp {
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  /** Subject as Node renders it: device certs name it as their issuer. */
  subjectName: string;
  status: CaCertificateStatus;
  autoRegistrationStatus: AutoRegistrationStatus;
  registrationConfig: RegistrationConfig;
  certificateMode: CertificateMode;
}

export interface ThingRecord {
  thingName: string;
  thingId: string;
  thingArn: string;
  thingTypeName?: string;
  billingGroupName?: string;
  attributes: Record<string, string>;
  version: number;
  creationDate: number;
  sequence: number;
}

export interface PolicyRecord {
  policyName: string;
  policyArn: string;
  policyDocument: string;
  defaultVersionId: string;
  creationDate: number;
  lastModifiedDate: number;
  generationId: string;
  /** The highest version ID handed out: AWS never reuses a deleted version's ID. */
  lastVersionId?: number;
}

/** One version of an IoT policy (CreatePolicy makes version 1; CreatePolicyVersion the next). */
export interface PolicyVersionRecord {
  policyName: string;
  versionId: string;
  policyDocument: string;
  isDefaultVersion: boolean;
  creationDate: number;
  lastModifiedDate: number;
  generationId: string;
}

/** A role alias: the IAM role the credentials provider assumes for devices. */
export interface RoleAliasRecord {
  roleAlias: string;
  roleAliasArn: string;
  roleArn: string;
  credentialDurationSeconds: number;
  creationDate: number;
  lastModifiedDate: number;
  sequence: number;
}

export interface ProvisioningHook {
  targetArn: string;
  payloadVersion?: string;
}

export interface ProvisioningTemplateRecord {
  templateName: string;
  templateArn: string;
  description?: string;
  templateBody: string;
  enabled: boolean;
  provisioningRoleArn: string;
  preProvisioningHook?: ProvisioningHook;
  type: 'FLEET_PROVISIONING' | 'JITP';
  defaultVersionId: number;
  creationDate: number;
  lastModifiedDate: number;
  sequence: number;
}

/** A topic rule as CreateTopicRule's `topicRulePayload` gives it (stored, not executed here). */
export interface TopicRuleRecord {
  ruleName: string;
  ruleArn: string;
  sql: string;
  description?: string;
  ruleDisabled: boolean;
  awsIotSqlVersion?: string;
  actions: unknown[];
  errorAction?: unknown;
  createdAt: number;
}

/** A thing type (CreateThingType). Deprecated types take no new things and may then be deleted. */
export interface ThingTypeRecord {
  thingTypeName: string;
  thingTypeId: string;
  thingTypeArn: string;
  description?: string;
  /** At most 3 attribute names (ThingTypeProperties.searchableAttributes). */
  searchableAttributes?: string[];
  /** ThingTypeProperties.mqtt5Configuration, kept as given. */
  mqtt5Configuration?: unknown;
  deprecated: boolean;
  deprecationDate?: number;
  creationDate: number;
  sequence: number;
}

/** A static thing group (CreateThingGroup); the parent is fixed at creation. */
export interface ThingGroupRecord {
  thingGroupName: string;
  thingGroupId: string;
  thingGroupArn: string;
  parentGroupName?: string;
  description?: string;
  attributes: Record<string, string>;
  version: number;
  creationDate: number;
  sequence: number;
}
