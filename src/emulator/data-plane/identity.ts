import { X509Certificate } from 'node:crypto';
import { certificateIdOf, certificatePemOfDer } from '../../pki/certificate.js';
import type { CaCertificateRecord, CertificateRecord, DataPlaneRegistry } from './ports.js';

/** What the gateway decided about a client certificate presented in the TLS handshake. */
export type CertificateVerdict =
  | { kind: 'accept'; certificate: CertificateRecord; x509: X509Certificate }
  | {
      kind: 'auto-register';
      ca: CaCertificateRecord;
      certificatePem: string;
      certificateId: string;
      x509: X509Certificate;
    }
  | { kind: 'pending'; certificate: CertificateRecord; ca?: CaCertificateRecord; x509: X509Certificate }
  | { kind: 'reject'; reason: string };

function withinValidity(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

/**
 * AWS IoT's accept rules for a device certificate: known and ACTIVE and within its validity;
 * unknown but signed by an ACTIVE registered CA with auto-registration ENABLE (JITR/JITP);
 * PENDING_ACTIVATION under such a CA (the registration event is sent again). Anything else is
 * refused. The CA may or may not have been sent in the chain: only the leaf is looked at.
 */
export function judgeCertificate(
  leaf: X509Certificate | Buffer | undefined,
  registry: DataPlaneRegistry,
  now: number = Date.now(),
): CertificateVerdict {
  if (leaf === undefined || (Buffer.isBuffer(leaf) && leaf.length === 0)) {
    return {
      kind: 'reject',
      reason: 'no client certificate was presented; AWS IoT needs mutual TLS on this port',
    };
  }
  let x509: X509Certificate;
  try {
    x509 = Buffer.isBuffer(leaf) ? new X509Certificate(leaf) : leaf;
  } catch {
    return { kind: 'reject', reason: 'the client certificate could not be parsed' };
  }
  const leafDer = x509.raw;
  if (!withinValidity(x509, now)) {
    return {
      kind: 'reject',
      reason: `the client certificate is outside its validity (${x509.validFrom} to ${x509.validTo})`,
    };
  }
  const certificateId = certificateIdOf(leafDer);
  const known = registry.getCertificate(certificateId);
  if (known) {
    if (known.expiresAt !== undefined && now > known.expiresAt) {
      return { kind: 'reject', reason: `certificate ${certificateId} (a provisioning claim) has expired` };
    }
    if (known.status === 'ACTIVE') return { kind: 'accept', certificate: known, x509 };
    if (known.status === 'PENDING_ACTIVATION') {
      const ca = known.caCertificateId ? registry.getCaCertificate(known.caCertificateId) : undefined;
      return { kind: 'pending', certificate: known, ca, x509 };
    }
    return { kind: 'reject', reason: `certificate ${certificateId} is ${known.status}, not ACTIVE` };
  }
  const certificatePem = certificatePemOfDer(leafDer);
  const ca = registry.findSigningCa(certificatePem);
  if (!ca) {
    return {
      kind: 'reject',
      reason: `certificate ${certificateId} is not registered and no registered CA signed it`,
    };
  }
  if (ca.status !== 'ACTIVE' || ca.autoRegistrationStatus !== 'ENABLE') {
    return {
      kind: 'reject',
      reason: `certificate ${certificateId} is not registered; its CA ${ca.certificateId} is ${ca.status} with auto-registration ${ca.autoRegistrationStatus}`,
    };
  }
  return { kind: 'auto-register', ca, certificatePem, certificateId, x509 };
}
