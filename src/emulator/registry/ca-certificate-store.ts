import type { ParsedCertificate } from '../../pki/index.js';
import { isSignedBy, parseCertificatePem } from '../../pki/index.js';
import { alreadyExists, IotError, notFound } from './errors.js';
import { MultiIndex } from './multi-index.js';
import type { ListRequest, Page } from './pagination.js';
import { RecordTable } from './record-table.js';
import type {
  AutoRegistrationStatus,
  CaCertificateRecord,
  CaCertificateStatus,
  CertificateMode,
  RegistrationConfig,
} from './records.js';
import type { StoreContext } from './store-context.js';
import type { TagStore } from './tag-store.js';

export interface AddCaCertificateInput {
  certificate: ParsedCertificate;
  status: CaCertificateStatus;
  autoRegistrationStatus: AutoRegistrationStatus;
  registrationConfig?: RegistrationConfig;
  certificateMode: CertificateMode;
}

export interface CaCertificateUpdate {
  newStatus?: CaCertificateStatus;
  newAutoRegistrationStatus?: AutoRegistrationStatus;
  registrationConfig?: RegistrationConfig;
  removeAutoRegistration?: boolean;
}

/** Registered CA certificates, found by subject on the hot path of JITR/JITP and BYO-CA connects. */
export class CaCertificateStore {
  readonly records = new RecordTable<CaCertificateRecord>({
    missing: (id) =>
      notFound(`The CA certificate ${id} is not registered: check the ID (ListCACertificates)`),
    newestFirst: true,
  });
  private readonly bySubject = new MultiIndex<string, string>();
  private readonly parsed = new Map<string, ParsedCertificate>();

  /** `templateExists(name)`: whether a provisioning template of that name exists. */
  constructor(
    private readonly context: StoreContext,
    private readonly tags: TagStore,
    private readonly perSubjectLimit: number,
    private readonly templateExists: (templateName: string) => boolean,
  ) {}

  /** Hot path: registered CAs whose subject equals this issuer name (Node's rendering). */
  findBySubject(subjectName: string): CaCertificateRecord[] {
    return this.bySubject
      .values(subjectName)
      .map((id) => this.records.get(id)!)
      .filter(Boolean);
  }

  /**
   * Hot path: the registered CA that really signed `certificate` (issuer name matches and the
   * signature verifies), preferring ACTIVE ones; undefined when none did.
   */
  findSigner(certificate: ParsedCertificate): CaCertificateRecord | undefined {
    let inactiveMatch: CaCertificateRecord | undefined;
    for (const ca of this.findBySubject(certificate.issuerName)) {
      const parsed = this.parsedCertificate(ca.certificateId);
      if (!parsed || !isSignedBy(certificate, parsed)) continue;
      if (ca.status === 'ACTIVE') return ca;
      inactiveMatch ??= ca;
    }
    return inactiveMatch;
  }

  /** The parsed certificate of a registered CA (cached), to check device-certificate signatures. */
  parsedCertificate(certificateId: string): ParsedCertificate | undefined {
    let parsed = this.parsed.get(certificateId);
    if (!parsed) {
      const record = this.records.get(certificateId);
      if (!record) return undefined;
      parsed = parseCertificatePem(record.certificatePem);
      this.parsed.set(certificateId, parsed);
    }
    return parsed;
  }

  /** The CA certificate whose auto-registration uses a template, if any. */
  usingTemplate(templateName: string): CaCertificateRecord | undefined {
    for (const ca of this.records.values())
      if (ca.registrationConfig.templateName === templateName) return ca;
    return undefined;
  }

  add(input: AddCaCertificateInput): CaCertificateRecord {
    const id = input.certificate.certificateId;
    const existing = this.records.get(id);
    if (existing)
      throw alreadyExists('The CA certificate is already registered', id, existing.certificateArn);
    if (this.bySubject.count(input.certificate.subjectName) >= this.perSubjectLimit) {
      throw new IotError(
        'LimitExceededException',
        `At most ${this.perSubjectLimit} CA certificates with the same subject may be registered: delete one first`,
      );
    }
    const record: CaCertificateRecord = {
      certificateId: id,
      certificateArn: this.context.arns.caCertificate(id),
      certificatePem: input.certificate.pem,
      subjectName: input.certificate.subjectName,
      status: input.status,
      autoRegistrationStatus: input.autoRegistrationStatus,
      registrationConfig: { ...(input.registrationConfig ?? {}) },
      certificateMode: input.certificateMode,
      ...this.context.newRecordStamp(input.certificate),
    };
    this.records.set(id, record);
    this.parsed.set(id, input.certificate);
    this.bySubject.add(record.subjectName, id);
    this.context.changed();
    return record;
  }

  update(certificateId: string, update: CaCertificateUpdate): CaCertificateRecord {
    const record = this.records.require(certificateId);
    const templateName = update.registrationConfig?.templateName;
    if (templateName && !this.templateExists(templateName)) {
      throw notFound(`The provisioning template ${templateName} does not exist`);
    }
    const statusChanged = update.newStatus !== undefined && update.newStatus !== record.status;
    if (update.newStatus) record.status = update.newStatus;
    if (update.newAutoRegistrationStatus) record.autoRegistrationStatus = update.newAutoRegistrationStatus;
    if (update.registrationConfig) record.registrationConfig = { ...update.registrationConfig };
    if (update.removeAutoRegistration) record.registrationConfig = {};
    this.context.touch(record);
    if (statusChanged)
      this.context.events.emit('caCertificateStatusChanged', { certificateId, status: record.status });
    this.context.changed();
    return record;
  }

  delete(certificateId: string): void {
    const record = this.records.require(certificateId);
    if (record.status === 'ACTIVE') {
      throw new IotError(
        'CertificateStateException',
        `CA certificate ${certificateId} is ACTIVE: set it INACTIVE (UpdateCACertificate newStatus=INACTIVE) before deleting it`,
      );
    }
    this.records.delete(certificateId);
    this.parsed.delete(certificateId);
    this.bySubject.delete(record.subjectName, certificateId);
    this.tags.forget(record.certificateArn);
    this.context.changed();
  }

  list(request: ListRequest & { templateName?: string }): Page<CaCertificateRecord> {
    const { templateName } = request;
    if (templateName === undefined) return this.records.page(request);
    return this.records.page(request, (record) => record.registrationConfig.templateName === templateName);
  }

  load(records: CaCertificateRecord[]): void {
    for (const record of records) {
      this.records.set(record.certificateId, record);
      this.bySubject.add(record.subjectName, record.certificateId);
    }
  }
}
