import type { ParsedCertificate } from '../../pki/index.js';
import { StoredCertificateRecord } from './certificate-record.js';
import { alreadyExists, IotError, invalidRequest, notFound } from './errors.js';
import type { ListRequest, Page } from './pagination.js';
import { RecordTable } from './record-table.js';
import type { CertificateMode, CertificateRecord, CertificateStatus } from './records.js';
import type { Relation } from './relation.js';
import type { StoreContext } from './store-context.js';
import type { TagStore } from './tag-store.js';

export interface AddCertificateInput {
  certificate: ParsedCertificate;
  status: CertificateStatus;
  origin: CertificateRecord['origin'];
  caCertificateId?: string;
  certificateMode?: CertificateMode;
  expiresAt?: number;
  provisioningTemplateName?: string;
}

const MANUAL_CERTIFICATE_STATUSES: ReadonlySet<string> = new Set([
  'ACTIVE',
  'INACTIVE',
  'REVOKED',
  'REGISTER_INACTIVE',
]);

/** Device certificates and provisioning claims (claims are stored here but never described or listed). */
export class CertificateStore {
  readonly records = new RecordTable<CertificateRecord>({
    missing: (id) => notFound(`The certificate ${id} does not exist: check the certificate ID`),
    newestFirst: true,
  });

  constructor(
    private readonly context: StoreContext,
    private readonly tags: TagStore,
    private readonly attachments: { thingPrincipals: Relation; policyTargets: Relation },
    private readonly caExists: (certificateId: string) => boolean,
  ) {}

  /** DescribeCertificate: any certificate but a provisioning claim. */
  describe(certificateId: string): CertificateRecord {
    const record = this.records.get(certificateId);
    if (!record || record.origin === 'provisioning-claim') throw this.records.missing(certificateId);
    return record;
  }

  /** The certificate behind a principal ARN, or ResourceNotFound. */
  forPrincipal(principal: string): CertificateRecord {
    const parsed = this.context.arns.parse(principal);
    const record = parsed?.kind === 'cert' ? this.records.get(parsed.id) : undefined;
    if (!record) {
      throw notFound(
        `The principal ${principal} does not exist: pass the ARN of a certificate in this account`,
      );
    }
    return record;
  }

  /** Stores a certificate; ResourceAlreadyExists when the same certificate is already there. */
  add(input: AddCertificateInput): CertificateRecord {
    const id = input.certificate.certificateId;
    const existing = this.records.get(id);
    if (existing) {
      throw alreadyExists(
        'The certificate is already provisioned or registered',
        id,
        existing.certificateArn,
      );
    }
    if (input.caCertificateId && !this.caExists(input.caCertificateId)) {
      throw notFound(`The CA certificate ${input.caCertificateId} is not registered`);
    }
    const record = new StoredCertificateRecord(
      {
        certificateId: id,
        certificateArn: this.context.arns.certificate(id),
        status: input.status,
        certificateMode: input.certificateMode ?? 'DEFAULT',
        origin: input.origin,
        ...this.context.newRecordStamp(input.certificate),
      },
      input.certificate.pem,
    );
    if (input.caCertificateId) record.caCertificateId = input.caCertificateId;
    if (input.expiresAt !== undefined) record.expiresAt = input.expiresAt;
    if (input.provisioningTemplateName !== undefined)
      record.provisioningTemplateName = input.provisioningTemplateName;
    this.records.set(id, record);
    this.context.changed();
    return record;
  }

  /**
   * UpdateCertificate. `internal` allows the statuses only AWS itself sets (PENDING_ACTIVATION,
   * PENDING_TRANSFER), for JITR and fleet provisioning.
   */
  updateStatus(
    certificateId: string,
    status: CertificateStatus,
    options: { internal?: boolean } = {},
  ): CertificateRecord {
    if (!options.internal && !MANUAL_CERTIFICATE_STATUSES.has(status)) {
      throw invalidRequest(
        `Certificate status ${status} is set by AWS IoT only: use ACTIVE, INACTIVE or REVOKED`,
      );
    }
    const record = this.describe(certificateId);
    if (record.status === 'PENDING_TRANSFER' && !options.internal) {
      throw new IotError(
        'CertificateStateException',
        `The certificate ${certificateId} is pending transfer and cannot be updated`,
      );
    }
    const previousStatus = record.status;
    if (previousStatus === status) return record;
    record.status = status;
    this.context.touch(record);
    this.context.events.emit('certificateStatusChanged', { certificateId, previousStatus, status });
    this.context.changed();
    return record;
  }

  /** DeleteCertificate: refuses ACTIVE (406) and certificates attached to things or (without force) policies (409). */
  delete(certificateId: string, forceDelete = false): void {
    const record = this.describe(certificateId);
    if (record.status === 'ACTIVE') {
      throw new IotError(
        'CertificateStateException',
        `Certificate ${certificateId} is ACTIVE: set it INACTIVE or REVOKED (UpdateCertificate) before deleting it`,
      );
    }
    const arn = record.certificateArn;
    if (this.attachments.thingPrincipals.hasRight(arn)) {
      throw new IotError(
        'DeleteConflictException',
        `Certificate ${certificateId} is attached to one or more things: detach it (DetachThingPrincipal) first`,
      );
    }
    if (this.attachments.policyTargets.hasRight(arn) && !forceDelete) {
      throw new IotError(
        'DeleteConflictException',
        `Certificate ${certificateId} has policies attached: detach them (DetachPolicy) or pass forceDelete`,
      );
    }
    this.attachments.policyTargets.deleteRight(arn);
    this.records.delete(certificateId);
    this.tags.forget(arn);
    this.context.events.emit('certificateDeleted', { certificateId, certificateArn: arn });
    this.context.changed();
  }

  /** Removes a provisioning claim or an unclaimed fleet-provisioning certificate (no checks). */
  remove(certificateId: string): void {
    const record = this.records.get(certificateId);
    if (!record) return;
    const arn = record.certificateArn;
    this.attachments.thingPrincipals.deleteRight(arn);
    this.attachments.policyTargets.deleteRight(arn);
    this.records.delete(certificateId);
    this.context.events.emit('certificateDeleted', { certificateId, certificateArn: arn });
    this.context.changed();
  }

  /** ListCertificates (and ListCertificatesByCA with `caCertificateId`): newest first by default. */
  list(request: ListRequest & { caCertificateId?: string }): Page<CertificateRecord> {
    const { caCertificateId } = request;
    return this.records.page(
      request,
      (record) =>
        record.origin !== 'provisioning-claim' &&
        (caCertificateId === undefined || record.caCertificateId === caCertificateId),
    );
  }

  load(records: CertificateRecord[]): void {
    for (const record of records)
      this.records.set(record.certificateId, StoredCertificateRecord.from(record));
  }
}
