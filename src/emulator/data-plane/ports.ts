import type { ProvisioningRegistry } from '../provisioning/index.js';

export type CertificateStatus =
  | 'ACTIVE'
  | 'INACTIVE'
  | 'REVOKED'
  | 'PENDING_TRANSFER'
  | 'REGISTER_INACTIVE'
  | 'PENDING_ACTIVATION';

/** A device certificate as the data plane needs to see it. */
export interface CertificateRecord {
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  status: CertificateStatus;
  /** Set for certificates registered under (or auto-registered by) a registered CA. */
  caCertificateId?: string;
  /** Epoch ms after which the certificate is refused (CreateProvisioningClaim: 5 minutes). */
  expiresAt?: number;
  /** Set on CreateProvisioningClaim certificates: the template the claim may provision with. */
  provisioningTemplateName?: string;
}

export interface RegistrationConfig {
  templateBody?: string;
  roleArn?: string;
  templateName?: string;
}

export interface CaCertificateRecord {
  certificateId: string;
  certificatePem: string;
  status: 'ACTIVE' | 'INACTIVE';
  autoRegistrationStatus: 'ENABLE' | 'DISABLE';
  registrationConfig?: RegistrationConfig;
}

export interface ProvisioningHookConfig {
  targetArn: string;
  payloadVersion?: string;
}

export interface ProvisioningTemplateRecord {
  templateName: string;
  templateArn: string;
  templateBody: string;
  enabled: boolean;
  type: 'FLEET_PROVISIONING' | 'JITP';
  preProvisioningHook?: ProvisioningHookConfig;
}

export interface TopicRuleRecord {
  ruleName: string;
  sql: string;
  ruleDisabled?: boolean;
  /** AWS action objects, e.g. `{ lambda: { functionArn } }` or `{ republish: { topic } }`. */
  actions: Array<Record<string, unknown>>;
}

export interface AttachedThing {
  thingName: string;
  thingTypeName?: string;
  attributes?: Record<string, string>;
}

export type RegistryChange =
  | { kind: 'certificate-status'; certificateId: string; status: CertificateStatus }
  | { kind: 'certificate-deleted'; certificateId: string };

/**
 * What the data plane reads from and writes to the emulator's registry. Reads are synchronous
 * (the registry is in memory) because MQTT authorization runs on every message. The control
 * plane provides one adapter over its registry; tests may provide their own.
 */
export interface DataPlaneRegistry extends ProvisioningRegistry {
  readonly accountId: string;
  readonly region: string;
  getCertificate(certificateId: string): CertificateRecord | undefined;
  getCaCertificate(caCertificateId: string): CaCertificateRecord | undefined;
  /** The registered CA that really signed this certificate (ACTIVE preferred), if any. */
  findSigningCa(certificatePem: string): CaCertificateRecord | undefined;
  /** Registers a device certificate signed by a registered CA (JITR/JITP/fleet provisioning). */
  registerDeviceCertificate(
    certificatePem: string,
    caCertificateId: string | undefined,
    status: CertificateStatus,
  ): Promise<CertificateRecord>;
  /** Deletes a certificate regardless of attachments (expired fleet ownership tokens). */
  deleteCertificate(certificateId: string): Promise<void>;
  /** Documents (JSON text) of every policy attached to the certificate. */
  policyDocumentsFor(certificateArn: string): string[];
  thingsAttachedTo(certificateArn: string): AttachedThing[];
  getProvisioningTemplate(templateName: string): ProvisioningTemplateRecord | undefined;
  listTopicRules(): TopicRuleRecord[];
  /** Subscribes to certificate changes; returns an unsubscribe function. */
  onChange(listener: (change: RegistryChange) => void): () => void;
}

/** The emulator's CA as the data plane uses it (fleet provisioning issues certificates). */
export interface CertificateIssuer {
  /** PEM of the CA that signs AWS-issued device certificates. */
  readonly issuingCaPem: string;
  createKeysAndCertificate(): Promise<{ certificatePem: string; privateKeyPem: string }>;
  /** Throws an Error whose message says why the CSR is refused. */
  signCsr(csrPem: string): Promise<{ certificatePem: string }>;
}

/**
 * A local stand-in for a Lambda function: topic rule actions and pre-provisioning hooks call it
 * with the event and use what it returns.
 */
export type LocalFunction = (event: unknown) => unknown | Promise<unknown>;

/** Resolves a function by ARN, then by the name after `function:`. */
export function findLocalFunction(
  functions: ReadonlyMap<string, LocalFunction>,
  arnOrName: string,
): LocalFunction | undefined {
  const direct = functions.get(arnOrName);
  if (direct) return direct;
  const name = /function:([^:]+)/.exec(arnOrName)?.[1];
  return name === undefined ? undefined : functions.get(name);
}
