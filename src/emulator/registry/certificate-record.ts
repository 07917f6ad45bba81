import { certificatePemOfDer } from '../../pki/certificate.js';
import type { CertificateMode, CertificateRecord, CertificateStatus } from './records.js';

const BEGIN = '-----BEGIN CERTIFICATE-----\n';
const END = '-----END CERTIFICATE-----\n';

/**
 * A stored certificate. The PEM is kept as its DER bytes in a one-byte string (30 % smaller,
 * one of the largest things the registry holds per device) whenever the PEM can be rebuilt
 * from them character for character; any other PEM is kept as given. Reads of
 * `certificatePem` and JSON serialisation return the PEM exactly as it was stored.
 */
export class StoredCertificateRecord implements CertificateRecord {
  certificateId: string;
  certificateArn: string;
  status: CertificateStatus;
  caCertificateId?: string;
  certificateMode: CertificateMode;
  origin: CertificateRecord['origin'];
  creationDate: number;
  lastModifiedDate: number;
  customerVersion: number;
  generationId: string;
  validity: { notBefore: number; notAfter: number };
  expiresAt?: number;
  provisioningTemplateName?: string;
  sequence: number;
  /** DER as latin1 when `#derForm`, else the PEM itself. */
  #stored: string;
  #derForm: boolean;

  constructor(fields: Omit<CertificateRecord, 'certificatePem'>, certificatePem: string) {
    this.certificateId = fields.certificateId;
    this.certificateArn = fields.certificateArn;
    this.status = fields.status;
    if (fields.caCertificateId !== undefined) this.caCertificateId = fields.caCertificateId;
    this.certificateMode = fields.certificateMode;
    this.origin = fields.origin;
    this.creationDate = fields.creationDate;
    this.lastModifiedDate = fields.lastModifiedDate;
    this.customerVersion = fields.customerVersion;
    this.generationId = fields.generationId;
    this.validity = fields.validity;
    if (fields.expiresAt !== undefined) this.expiresAt = fields.expiresAt;
    if (fields.provisioningTemplateName !== undefined)
      this.provisioningTemplateName = fields.provisioningTemplateName;
    this.sequence = fields.sequence;
    const der = certificatePem.startsWith(BEGIN)
      ? Buffer.from(certificatePem.slice(BEGIN.length, -END.length), 'base64')
      : undefined;
    this.#derForm = der !== undefined && certificatePemOfDer(der) === certificatePem;
    this.#stored = this.#derForm && der ? der.toString('latin1') : certificatePem;
  }

  /** A stored record from a saved snapshot's plain object. */
  static from(record: CertificateRecord): StoredCertificateRecord {
    return new StoredCertificateRecord(record, record.certificatePem);
  }

  get certificatePem(): string {
    return this.#derForm ? certificatePemOfDer(Buffer.from(this.#stored, 'latin1')) : this.#stored;
  }

  toJSON(): CertificateRecord {
    return { ...this, certificatePem: this.certificatePem };
  }
}
