import {
  CertificateParseError,
  CsrRejectedError,
  isSignedBy,
  isWithinValidity,
  type ParsedCertificate,
  parseCertificatePem,
} from '../../../pki/index.js';
import {
  type CaCertificateRecord,
  type CertificateRecord,
  type CertificateStatus,
  IotError,
  type IotRegistry,
  invalidRequest,
} from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import { optionalString, queryBoolean, requiredQueryString, requiredString } from '../input.js';
import { orderedMarkerPaging } from '../paging.js';
import { certificateDescription, certificateSummary, keyPair } from '../wire.js';

/**
 * The certificate's ARN for a response, as a new string: serialising the record's own ARN
 * would make V8 flatten it in place, and the record would keep a full copy next to the small
 * prefix-and-ID pair it holds now (bench/emulator-memory.ts).
 */
function responseArn(registry: IotRegistry, record: CertificateRecord): string {
  return registry.arns.certificate(record.certificateId);
}

const CERTIFICATE_STATUSES = [
  'ACTIVE',
  'INACTIVE',
  'REVOKED',
  'PENDING_TRANSFER',
  'REGISTER_INACTIVE',
  'PENDING_ACTIVATION',
] as const;

/** Parses a PEM from a request; CertificateValidationException when it is not a usable certificate. */
export function certificateFromRequest(pem: string, member: string): ParsedCertificate {
  let certificate: ParsedCertificate;
  try {
    certificate = parseCertificatePem(pem);
  } catch (error) {
    const reason = error instanceof CertificateParseError ? error.message : 'it could not be parsed';
    throw new IotError('CertificateValidationException', `${member} is not a valid certificate: ${reason}`);
  }
  if (!isWithinValidity(certificate)) {
    throw new IotError(
      'CertificateValidationException',
      `${member} is outside its validity period (${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()})`,
    );
  }
  return certificate;
}

function registrationStatus(
  body: Record<string, unknown>,
  setAsActive: boolean | undefined,
): CertificateStatus {
  const status = optionalString(body, 'status', { oneOf: CERTIFICATE_STATUSES });
  if (status && status !== 'ACTIVE' && status !== 'INACTIVE' && status !== 'REVOKED') {
    throw invalidRequest(`status ${status} cannot be set on registration: use ACTIVE, INACTIVE or REVOKED`);
  }
  return (status as CertificateStatus | undefined) ?? (setAsActive ? 'ACTIVE' : 'INACTIVE');
}

/**
 * RegisterCertificate's rules: the certificate must be signed by a registered CA (the one in
 * caCertificatePem when given) and that CA must be ACTIVE; the certificate inherits its mode.
 */
export function registerDeviceCertificate(
  registry: IotRegistry,
  request: { certificatePem: string; caCertificatePem?: string; status: CertificateStatus },
): CertificateRecord {
  const certificate = certificateFromRequest(request.certificatePem, 'certificatePem');
  let ca: CaCertificateRecord | undefined;
  if (request.caCertificatePem !== undefined) {
    const caCertificate = certificateFromRequest(request.caCertificatePem, 'caCertificatePem');
    ca = registry.getCaCertificate(caCertificate.certificateId);
    if (!ca) {
      throw new IotError(
        'CertificateValidationException',
        'caCertificatePem is not a registered CA certificate: register it first (RegisterCACertificate)',
      );
    }
    if (!isSignedBy(certificate, caCertificate)) {
      throw new IotError(
        'CertificateValidationException',
        'certificatePem is not signed by caCertificatePem',
      );
    }
  } else {
    ca = registry.findSigningCaCertificate(certificate);
  }
  if (!ca) {
    throw new IotError(
      'CertificateValidationException',
      'certificatePem is not signed by a registered CA certificate: register its CA (RegisterCACertificate) or use RegisterCertificateWithoutCA',
    );
  }
  if (ca.status !== 'ACTIVE') {
    throw new IotError(
      'CertificateStateException',
      `The CA certificate ${ca.certificateId} that signed this certificate is INACTIVE: activate it (UpdateCACertificate newStatus=ACTIVE) first`,
    );
  }
  return registry.addCertificate({
    certificate,
    status: request.status,
    origin: 'registered',
    caCertificateId: ca.certificateId,
    certificateMode: ca.certificateMode,
  });
}

export const certificateOperations: OperationHandlers = {
  async CreateKeysAndCertificate(input, { registry, pki }) {
    const setAsActive = queryBoolean(input.query, 'setAsActive');
    const { certificate, keyPair: keys } = await pki.createKeysAndCertificate();
    const record = registry.addCertificate({
      certificate,
      status: setAsActive ? 'ACTIVE' : 'INACTIVE',
      origin: 'keys-and-certificate',
    });
    return {
      certificateArn: responseArn(registry, record),
      certificateId: record.certificateId,
      certificatePem: record.certificatePem,
      keyPair: keyPair(keys),
    };
  },

  async CreateCertificateFromCsr(input, { registry, pki }) {
    const setAsActive = queryBoolean(input.query, 'setAsActive');
    const csr = requiredString(input.body, 'certificateSigningRequest');
    let certificate: ParsedCertificate;
    try {
      certificate = await pki.signCsr(csr);
    } catch (error) {
      if (error instanceof CsrRejectedError)
        throw invalidRequest(`The certificate signing request is not valid: ${error.message}`);
      throw error;
    }
    const record = registry.addCertificate({
      certificate,
      status: setAsActive ? 'ACTIVE' : 'INACTIVE',
      origin: 'csr',
    });
    return {
      certificateArn: responseArn(registry, record),
      certificateId: record.certificateId,
      certificatePem: record.certificatePem,
    };
  },

  RegisterCertificate(input, { registry }) {
    const setAsActive = queryBoolean(input.query, 'setAsActive');
    const record = registerDeviceCertificate(registry, {
      certificatePem: requiredString(input.body, 'certificatePem'),
      caCertificatePem: optionalString(input.body, 'caCertificatePem'),
      status: registrationStatus(input.body, setAsActive),
    });
    return { certificateArn: responseArn(registry, record), certificateId: record.certificateId };
  },

  RegisterCertificateWithoutCA(input, { registry }) {
    const certificate = certificateFromRequest(
      requiredString(input.body, 'certificatePem'),
      'certificatePem',
    );
    const status = registrationStatus(input.body, undefined);
    const record = registry.addCertificate({
      certificate,
      status,
      origin: 'registered-without-ca',
      certificateMode: 'SNI_ONLY',
    });
    return { certificateArn: responseArn(registry, record), certificateId: record.certificateId };
  },

  DescribeCertificate(input, { registry }) {
    const id = requiredString(input.labels, 'certificateId');
    return {
      certificateDescription: certificateDescription(registry.describeCertificate(id), registry.accountId),
    };
  },

  UpdateCertificate(input, { registry }) {
    const id = requiredString(input.labels, 'certificateId');
    const newStatus = requiredQueryString(input.query, 'newStatus', { oneOf: CERTIFICATE_STATUSES });
    registry.updateCertificateStatus(id, newStatus as CertificateStatus);
    return undefined;
  },

  DeleteCertificate(input, { registry }) {
    const id = requiredString(input.labels, 'certificateId');
    registry.deleteCertificate(id, queryBoolean(input.query, 'forceDelete') ?? false);
    return undefined;
  },

  ListCertificates(input, { registry }) {
    const page = registry.listCertificates(orderedMarkerPaging(input));
    return { certificates: page.items.map(certificateSummary), nextMarker: page.next };
  },

  ListCertificatesByCA(input, { registry }) {
    const caCertificateId = requiredString(input.labels, 'caCertificateId');
    const page = registry.listCertificates({
      caCertificateId,
      ...orderedMarkerPaging(input),
    });
    return { certificates: page.items.map(certificateSummary), nextMarker: page.next };
  },
};
