import { randomBytes } from 'node:crypto';
import { type ParsedCertificate, parseCertificatePem } from './certificate.js';
import {
  generateKeyPairPem,
  importSigningKey,
  type KeyAlgorithm,
  type KeyPairPem,
  type SigningKey,
} from './keys.js';
import { x509 } from './webcrypto.js';

/** A CA able to sign: its parsed certificate and an imported signing key. */
export interface SignerIdentity {
  certificate: ParsedCertificate;
  signingKey: SigningKey;
}

export interface IssueCertificateOptions {
  /** Subject as an RFC 4514-style string in encoding order, e.g. "C=US, O=Example, CN=device-1". */
  subject: string;
  /** SPKI (DER) or PEM public key of the subject. */
  publicKey: Buffer | string;
  /** The signer; omit together with `selfSignedKey` to self-sign. */
  issuer?: SignerIdentity;
  /** Private key that signs a self-signed certificate (required when issuer is absent). */
  selfSignedKey?: SigningKey;
  notBefore?: Date;
  notAfter: Date;
  isCa?: boolean;
  /** Path length constraint for CA certificates. */
  pathLength?: number;
  /** serverAuth with these DNS names / IP addresses in subjectAltName. */
  serverNames?: string[];
  clientAuth?: boolean;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** A positive 16-byte serial number in hex (first bit cleared). */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function publicKeyBytes(publicKey: Buffer | string): Uint8Array {
  if (typeof publicKey !== 'string') return new Uint8Array(publicKey);
  return new Uint8Array(new x509.PublicKey(publicKey).rawData);
}

/** Issues (signs) one X.509 v3 certificate with SHA-256. */
export async function issueCertificate(options: IssueCertificateOptions): Promise<ParsedCertificate> {
  const signer = options.issuer?.signingKey ?? options.selfSignedKey;
  if (!signer) throw new Error('issueCertificate needs an issuer or a selfSignedKey');
  const publicKey = publicKeyBytes(options.publicKey);
  const extensions: x509.Extension[] = [];
  if (options.isCa) {
    extensions.push(new x509.BasicConstraintsExtension(true, options.pathLength, true));
    extensions.push(
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
    );
  } else {
    extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
    extensions.push(
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
    );
    const usages: x509.ExtendedKeyUsage[] = [];
    if (options.serverNames) usages.push(x509.ExtendedKeyUsage.serverAuth);
    if (options.clientAuth ?? !options.serverNames) usages.push(x509.ExtendedKeyUsage.clientAuth);
    extensions.push(new x509.ExtendedKeyUsageExtension(usages, false));
  }
  if (options.serverNames) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        options.serverNames.map(
          (name): x509.JsonGeneralName =>
            IPV4.test(name) || name.includes(':')
              ? { type: 'ip', value: name }
              : { type: 'dns', value: name },
        ),
        false,
      ),
    );
  }
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
  const issuerDetails = options.issuer ? await detailsOf(options.issuer) : undefined;
  if (issuerDetails) extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerDetails.keyId));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: options.subject,
    // The issuer's encoded name, so the issuer field matches its subject byte for byte.
    issuer: issuerDetails ? issuerDetails.name : options.subject,
    notBefore: options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000),
    notAfter: options.notAfter,
    signingAlgorithm: signer.signingAlgorithm,
    extensions,
    publicKey,
    signingKey: signer.cryptoKey,
  });
  return parseCertificatePem(certificate.toString('pem'));
}

interface IssuerDetails {
  name: x509.Name;
  keyId: string;
}

const issuerDetailsCache = new WeakMap<SignerIdentity, IssuerDetails>();

async function detailsOf(issuer: SignerIdentity): Promise<IssuerDetails> {
  const cached = issuerDetailsCache.get(issuer);
  if (cached) return cached;
  const certificate = new x509.X509Certificate(new Uint8Array(issuer.certificate.der));
  const ski = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  const keyId = ski
    ? ski.keyId
    : (await x509.SubjectKeyIdentifierExtension.create(certificate.publicKey)).keyId;
  const details = { name: certificate.subjectName, keyId };
  issuerDetailsCache.set(issuer, details);
  return details;
}

/** A CA certificate with its key pair, e.g. a customer's own CA for BYO-CA and JITR. */
export interface CertificateAuthorityMaterial {
  certificate: ParsedCertificate;
  keyPair: KeyPairPem;
}

export async function signerFrom(material: {
  certificatePem: string;
  privateKeyPem: string;
}): Promise<SignerIdentity> {
  return {
    certificate: parseCertificatePem(material.certificatePem),
    signingKey: await importSigningKey(material.privateKeyPem),
  };
}

/** Creates a CA: self-signed when `issuer` is absent, else an intermediate signed by it. */
export async function createCertificateAuthority(options: {
  subject: string;
  algorithm?: KeyAlgorithm;
  keyPair?: KeyPairPem;
  issuer?: SignerIdentity;
  notAfter?: Date;
  pathLength?: number;
}): Promise<CertificateAuthorityMaterial> {
  const keyPair = options.keyPair ?? (await generateKeyPairPem(options.algorithm ?? 'rsa-2048'));
  const signingKey = await importSigningKey(keyPair.privateKeyPem);
  const certificate = await issueCertificate({
    subject: options.subject,
    publicKey: keyPair.publicKeyPem,
    issuer: options.issuer,
    selfSignedKey: options.issuer ? undefined : signingKey,
    notAfter: options.notAfter ?? new Date(Date.UTC(2049, 11, 31, 23, 59, 59)),
    isCa: true,
    pathLength: options.pathLength,
  });
  return { certificate, keyPair };
}
