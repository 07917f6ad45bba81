/** What `DataPlane.start` takes and what its `rejected` event carries. */
import type { CertificateIssuer, DataPlaneRegistry, LocalFunction } from './ports.js';
import type { StoreQuotaLimits } from './store-quotas.js';

/** Per-second and count limits; an absent value means unlimited (`--quotas none`). */
export interface DataPlaneLimits extends StoreQuotaLimits {
  connectsPerSecond?: number;
  connectsPerSecondPerClientId?: number;
  deviceCertificateRegistrationsPerSecond?: number;
  fleetCreateKeysAndCertificatePerSecond?: number;
  fleetCreateCertificateFromCsrPerSecond?: number;
  fleetRegisterThingPerSecond?: number;
}

export interface DataPlaneOptions {
  registry: DataPlaneRegistry;
  issuer: CertificateIssuer;
  /** Server certificate chain (leaf first) and key; valid for the names clients use. */
  serverCertificateChainPem: string;
  serverPrivateKeyPem: string;
  host?: string;
  port?: number;
  limits?: DataPlaneLimits;
  /** Local stand-ins for Lambda functions (rule actions, pre-provisioning hooks), by ARN or name. */
  localFunctions?: Record<string, LocalFunction>;
  preProvisioningHookTimeoutMs?: number;
  ownershipTokenTtlMs?: number;
  /**
   * Bucket shared with the control plane for device-certificate registrations (AWS: 15/s);
   * overrides limits.deviceCertificateRegistrationsPerSecond.
   */
  registrationLimit?: { tryTake(): boolean };
}

/** Why the gateway refused or closed a connection; emitted as `rejected`. */
export interface RejectionEvent {
  clientId: string;
  reason: string;
}
