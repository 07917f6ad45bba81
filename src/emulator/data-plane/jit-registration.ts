import { certificateParameters, provisionFromTemplate } from '../provisioning/index.js';
import type { CertificateVerdict } from './identity.js';
import type { CaCertificateRecord, CertificateRecord, DataPlaneRegistry } from './ports.js';

export type JitOutcome =
  | { kind: 'jitr-event-published'; certificateId: string; caCertificateId: string }
  | { kind: 'jitp-provisioned'; certificateId: string; thingName?: string }
  | { kind: 'jitp-failed'; certificateId: string; reason: string }
  | { kind: 'throttled'; certificateId: string }
  | { kind: 'not-auto-registering'; certificateId: string };

export interface JitDeps {
  registry: DataPlaneRegistry;
  publish: (topic: string, payload: Buffer) => void;
  /** Device certificate registrations per second (AWS: 15), shared with the control plane. */
  registrationLimit?: { tryTake(): boolean };
}

/** The JITR event as AWS publishes it on `$aws/events/certificates/registered/<caId>`. */
export function registrationEvent(
  certificate: CertificateRecord,
  caCertificateId: string,
  accountId: string,
  registeredAt: number | undefined,
  sourceIp: string | undefined,
): Record<string, unknown> {
  return {
    certificateId: certificate.certificateId,
    caCertificateId,
    timestamp: Date.now(),
    certificateStatus: 'PENDING_ACTIVATION',
    awsAccountId: accountId,
    certificateRegistrationTimestamp: registeredAt === undefined ? null : String(registeredAt),
    sourceIp: sourceIp ?? null,
  };
}

function templateBodyFor(ca: CaCertificateRecord, registry: DataPlaneRegistry): string | undefined {
  const config = ca.registrationConfig;
  if (config?.templateBody) return config.templateBody;
  if (config?.templateName) {
    const template = registry.getProvisioningTemplate(config.templateName);
    if (!template)
      throw new Error(`JITP template ${config.templateName} named by CA ${ca.certificateId} does not exist`);
    if (template.type !== 'JITP')
      throw new Error(`template ${config.templateName} is ${template.type}, JITP needs type JITP`);
    return template.templateBody;
  }
  return undefined;
}

/**
 * Just-in-time registration and provisioning on the connect path. The connection is closed by
 * the caller in every case, as AWS closes the first connection of a JITR/JITP device.
 */
export class JustInTimeRegistration {
  private readonly registeredAt = new Map<string, number>();

  constructor(private readonly deps: JitDeps) {}

  async handle(verdict: CertificateVerdict, sourceIp: string | undefined): Promise<JitOutcome | undefined> {
    if (verdict.kind === 'auto-register') {
      if (this.deps.registrationLimit && !this.deps.registrationLimit.tryTake()) {
        return { kind: 'throttled', certificateId: verdict.certificateId };
      }
      const certificate = await this.deps.registry.registerDeviceCertificate(
        verdict.certificatePem,
        verdict.ca.certificateId,
        'PENDING_ACTIVATION',
      );
      this.registeredAt.set(certificate.certificateId, Date.now());
      return this.afterPending(certificate, verdict.ca, sourceIp);
    }
    if (verdict.kind === 'pending') {
      const { ca } = verdict;
      if (ca?.status !== 'ACTIVE' || ca.autoRegistrationStatus !== 'ENABLE') {
        return { kind: 'not-auto-registering', certificateId: verdict.certificate.certificateId };
      }
      return this.afterPending(verdict.certificate, ca, sourceIp);
    }
    return undefined;
  }

  private async afterPending(
    certificate: CertificateRecord,
    ca: CaCertificateRecord,
    sourceIp: string | undefined,
  ): Promise<JitOutcome> {
    let templateBody: string | undefined;
    try {
      templateBody = templateBodyFor(ca, this.deps.registry);
    } catch (error) {
      return {
        kind: 'jitp-failed',
        certificateId: certificate.certificateId,
        reason: (error as Error).message,
      };
    }
    if (templateBody === undefined) {
      const event = registrationEvent(
        certificate,
        ca.certificateId,
        this.deps.registry.accountId,
        this.registeredAt.get(certificate.certificateId),
        sourceIp,
      );
      this.deps.publish(
        `$aws/events/certificates/registered/${ca.certificateId}`,
        Buffer.from(JSON.stringify(event)),
      );
      return {
        kind: 'jitr-event-published',
        certificateId: certificate.certificateId,
        caCertificateId: ca.certificateId,
      };
    }
    try {
      const result = await provisionFromTemplate(templateBody, {}, this.deps.registry, {
        systemParameters: certificateParameters(certificate.certificatePem, certificate.certificateId),
      });
      return {
        kind: 'jitp-provisioned',
        certificateId: certificate.certificateId,
        thingName: result.thingName,
      };
    } catch (error) {
      return {
        kind: 'jitp-failed',
        certificateId: certificate.certificateId,
        reason: (error as Error).message,
      };
    }
  }
}
