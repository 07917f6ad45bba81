import { createHash, X509Certificate } from 'node:crypto';

/** Subject or issuer fields by their short names (CN, O, OU, C, ST, L, serialNumber, dnQualifier). */
export type DistinguishedName = Record<string, string>;

/** A parsed X.509 certificate with the fields the emulator and the harness look at. */
export interface ParsedCertificate {
  /** Normalised PEM (one certificate, trailing newline). */
  pem: string;
  der: Buffer;
  /** Lowercase hex SHA-256 of the DER: AWS IoT's certificateId. */
  certificateId: string;
  /** Node's one-line-per-field rendering, usable as a map key for issuer/subject matching. */
  subjectName: string;
  issuerName: string;
  subject: DistinguishedName;
  issuer: DistinguishedName;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  x509: X509Certificate;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export class CertificateParseError extends Error {
  override readonly name = 'CertificateParseError';
}

/** Splits a PEM bundle into its certificate blocks. */
export function splitPemCertificates(pemBundle: string): string[] {
  return [...pemBundle.matchAll(PEM_CERTIFICATE)].map((match) => `${match[0]}\n`);
}

/** DER of a certificate given as PEM text. */
function derOf(pem: string): Buffer {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

/** certificateId as AWS IoT computes it: lowercase hex SHA-256 of the DER (of a PEM's first certificate). */
export function certificateIdOf(certificate: string | Buffer): string {
  const der =
    typeof certificate === 'string'
      ? derOf(splitPemCertificates(certificate)[0] ?? certificate)
      : certificate;
  return createHash('sha256').update(der).digest('hex');
}

/** Parses "CN=a\nO=b" (Node's rendering) into fields; repeated fields keep the first value. */
export function parseDistinguishedName(rendered: string): DistinguishedName {
  const fields: DistinguishedName = {};
  for (const line of rendered.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at);
    if (!(key in fields)) fields[key] = line.slice(at + 1);
  }
  return fields;
}

/** A certificate's DER as PEM in the layout the emulator's PKI writes: 64-character lines, LF, trailing newline. */
export function certificatePemOfDer(der: Buffer): string {
  const body = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body.endsWith('\n') ? body : `${body}\n`}-----END CERTIFICATE-----\n`;
}

/**
 * Parses the first certificate of a PEM string. Throws CertificateParseError with a message
 * that says what was wrong (no PEM block, bad base64/DER).
 */
export function parseCertificatePem(pem: string): ParsedCertificate {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CertificateParseError('not a PEM certificate: expected a "-----BEGIN CERTIFICATE-----" block');
  }
  const block = splitPemCertificates(pem)[0];
  if (!block) throw new CertificateParseError('PEM certificate has no "-----END CERTIFICATE-----" line');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(block);
  } catch (error) {
    throw new CertificateParseError(`PEM certificate could not be decoded: ${(error as Error).message}`);
  }
  const der = x509.raw;
  return {
    pem: x509.toString(),
    der,
    certificateId: certificateIdOf(der),
    subjectName: x509.subject,
    issuerName: x509.issuer,
    subject: parseDistinguishedName(x509.subject),
    issuer: parseDistinguishedName(x509.issuer),
    serialNumber: x509.serialNumber,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    isCa: x509.ca,
    x509,
  };
}

/**
 * True when `certificate` names `issuer` as its issuer and its signature verifies with the
 * issuer's public key: "is this cert really signed by that CA".
 */
export function isSignedBy(certificate: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (certificate.issuerName !== issuer.subjectName) return false;
  try {
    return certificate.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

/** True when the certificate's validity window contains `at`. */
export function isWithinValidity(certificate: ParsedCertificate, at = new Date()): boolean {
  return certificate.notBefore.getTime() <= at.getTime() && at.getTime() <= certificate.notAfter.getTime();
}
