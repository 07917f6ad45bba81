import type {
  CaCertificateRecord,
  CertificateRecord,
  ProvisioningTemplateRecord,
  ThingRecord,
} from '../registry/index.js';
import { epochSeconds } from './input.js';

/** Registry records in the JSON shapes AWS IoT returns (timestamps in epoch seconds). */

export function certificateDescription(record: CertificateRecord, ownedBy: string) {
  return {
    certificateArn: record.certificateArn,
    certificateId: record.certificateId,
    caCertificateId: record.caCertificateId,
    status: record.status,
    certificatePem: record.certificatePem,
    ownedBy,
    creationDate: epochSeconds(record.creationDate),
    lastModifiedDate: epochSeconds(record.lastModifiedDate),
    customerVersion: record.customerVersion,
    transferData: {},
    generationId: record.generationId,
    validity: {
      notBefore: epochSeconds(record.validity.notBefore),
      notAfter: epochSeconds(record.validity.notAfter),
    },
    certificateMode: record.certificateMode,
  };
}

export function certificateSummary(record: CertificateRecord) {
  return {
    certificateArn: record.certificateArn,
    certificateId: record.certificateId,
    status: record.status,
    certificateMode: record.certificateMode,
    creationDate: epochSeconds(record.creationDate),
  };
}

export function caCertificateDescription(record: CaCertificateRecord, ownedBy: string) {
  return {
    certificateArn: record.certificateArn,
    certificateId: record.certificateId,
    status: record.status,
    certificatePem: record.certificatePem,
    ownedBy,
    creationDate: epochSeconds(record.creationDate),
    autoRegistrationStatus: record.autoRegistrationStatus,
    lastModifiedDate: epochSeconds(record.lastModifiedDate),
    customerVersion: record.customerVersion,
    generationId: record.generationId,
    validity: {
      notBefore: epochSeconds(record.validity.notBefore),
      notAfter: epochSeconds(record.validity.notAfter),
    },
    certificateMode: record.certificateMode,
  };
}

export function caCertificateSummary(record: CaCertificateRecord) {
  return {
    certificateArn: record.certificateArn,
    certificateId: record.certificateId,
    status: record.status,
    creationDate: epochSeconds(record.creationDate),
  };
}

export function thingAttribute(record: ThingRecord) {
  return {
    thingName: record.thingName,
    thingTypeName: record.thingTypeName,
    thingArn: record.thingArn,
    attributes: record.attributes,
    version: record.version,
  };
}

export function templateSummary(record: ProvisioningTemplateRecord) {
  return {
    templateArn: record.templateArn,
    templateName: record.templateName,
    description: record.description,
    creationDate: epochSeconds(record.creationDate),
    lastModifiedDate: epochSeconds(record.lastModifiedDate),
    enabled: record.enabled,
    type: record.type,
  };
}

export function templateDescription(record: ProvisioningTemplateRecord) {
  return {
    ...templateSummary(record),
    defaultVersionId: record.defaultVersionId,
    templateBody: record.templateBody,
    provisioningRoleArn: record.provisioningRoleArn,
    preProvisioningHook: record.preProvisioningHook,
  };
}

/** KeyPair with AWS's capitalised member names. */
export function keyPair(pair: { publicKeyPem: string; privateKeyPem: string }) {
  return { PublicKey: pair.publicKeyPem, PrivateKey: pair.privateKeyPem };
}
