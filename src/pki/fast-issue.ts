import { createHash, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import {
  certificatePemOfDer,
  type ParsedCertificate,
  parseCertificatePem,
  parseDistinguishedName,
} from './certificate.js';
import { bitString, explicit, octetString, readTlv, sequence, time, tlv, unsignedInteger } from './der.js';
import type { SignerIdentity } from './issue.js';
import { x509 } from './webcrypto.js';

const OID = {
  sha256WithRsa: Buffer.from('06092a864886f70d01010b0500', 'hex'),
  ecdsaWithSha256: Buffer.from('06082a8648ce3d040302', 'hex'),
  basicConstraints: Buffer.from('0603551d13', 'hex'),
  keyUsage: Buffer.from('0603551d0f', 'hex'),
  extendedKeyUsage: Buffer.from('0603551d25', 'hex'),
  subjectKeyIdentifier: Buffer.from('0603551d0e', 'hex'),
  authorityKeyIdentifier: Buffer.from('0603551d23', 'hex'),
  clientAuth: Buffer.from('06082b06010505070302', 'hex'),
};
const CRITICAL = Buffer.from('0101ff', 'hex');

/**
 * Issues client (device) certificates from a pre-encoded template: only serial, validity,
 * subject, public key and key identifiers change per certificate, and Node signs the
 * to-be-signed bytes directly. Several times faster than a general ASN.1 library.
 */
export class LeafCertificateFactory {
  private readonly issuerName: Buffer;
  private readonly signatureAlgorithm: Buffer;
  private readonly staticExtensions: Buffer;
  private readonly authorityKeyIdentifier: Buffer;
  private readonly issuerNameRendered: string;
  private readonly subjectCache = new Map<string, { der: Buffer; rendered: string }>();

  constructor(
    issuer: SignerIdentity,
    private readonly issuerKey: KeyObject,
  ) {
    const issuerCertificate = new x509.X509Certificate(new Uint8Array(issuer.certificate.der));
    this.issuerName = Buffer.from(issuerCertificate.subjectName.toArrayBuffer());
    this.issuerNameRendered = issuer.certificate.subjectName;
    this.signatureAlgorithm = sequence(
      issuerKey.asymmetricKeyType === 'rsa' ? OID.sha256WithRsa : OID.ecdsaWithSha256,
    );
    const ski = issuerCertificate.getExtension(x509.SubjectKeyIdentifierExtension);
    const issuerKeyId = ski
      ? Buffer.from(ski.keyId, 'hex')
      : keyIdentifier(Buffer.from(issuerCertificate.publicKey.rawData));
    this.authorityKeyIdentifier = sequence(
      OID.authorityKeyIdentifier,
      octetString(sequence(tlv(0x80, issuerKeyId))),
    );
    this.staticExtensions = Buffer.concat([
      sequence(OID.basicConstraints, CRITICAL, octetString(sequence())),
      // digitalSignature | keyEncipherment
      sequence(OID.keyUsage, CRITICAL, octetString(Buffer.from('030205a0', 'hex'))),
      sequence(OID.extendedKeyUsage, octetString(sequence(OID.clientAuth))),
    ]);
  }

  /** `subject` like "CN=AWS IoT Certificate"; `publicKey` as SPKI DER or PEM. */
  issue(options: {
    subject: string;
    publicKey: Buffer | string;
    notAfter: Date;
    notBefore?: Date;
  }): ParsedCertificate {
    const spki = typeof options.publicKey === 'string' ? spkiDer(options.publicKey) : options.publicKey;
    const subject = this.subjectName(options.subject);
    const serial = randomBytes(16);
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    const notBefore = options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const extensions = Buffer.concat([
      this.staticExtensions,
      sequence(OID.subjectKeyIdentifier, octetString(octetString(keyIdentifier(spki)))),
      this.authorityKeyIdentifier,
    ]);
    const tbs = sequence(
      explicit(0, Buffer.from('020102', 'hex')),
      unsignedInteger(serial),
      this.signatureAlgorithm,
      this.issuerName,
      sequence(time(notBefore), time(options.notAfter)),
      subject.der,
      spki,
      explicit(3, sequence(extensions)),
    );
    const signature = sign('sha256', tbs, this.issuerKey);
    const der = sequence(tbs, this.signatureAlgorithm, bitString(signature));
    return knownCertificate({
      der,
      subjectName: subject.rendered,
      issuerName: this.issuerNameRendered,
      serialNumber: serial.toString('hex').toUpperCase(),
      notBefore,
      notAfter: options.notAfter,
    });
  }

  private subjectName(subject: string): { der: Buffer; rendered: string } {
    let cached = this.subjectCache.get(subject);
    if (!cached) {
      const name = new x509.Name(subject);
      const rendered = name
        .toJSON()
        .flatMap((rdn) =>
          Object.entries(rdn).flatMap(([key, values]) => values.map((value) => `${key}=${value}`)),
        )
        .join('\n');
      cached = { der: Buffer.from(name.toArrayBuffer()), rendered };
      if (this.subjectCache.size < 1000) this.subjectCache.set(subject, cached);
    }
    return cached;
  }
}

const SPKI_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----\s*$/;

/** SPKI DER of a public key: decoded directly from a `PUBLIC KEY` PEM, else through Node's key parser. */
function spkiDer(publicKeyPem: string): Buffer {
  const match = SPKI_PEM.exec(`${publicKeyPem.trim()}\n`);
  if (match) return Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
  return createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
}

/** SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 4.2.1.2 method 1). */
function keyIdentifier(spki: Buffer): Buffer {
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.contentStart);
  const key = readTlv(spki, algorithm.end);
  return createHash('sha1')
    .update(spki.subarray(key.contentStart + 1, key.end))
    .digest();
}

/** A ParsedCertificate for DER we just built: fields known, Node's X509Certificate made on first use. */
function knownCertificate(fields: {
  der: Buffer;
  subjectName: string;
  issuerName: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}): ParsedCertificate {
  const pem = certificatePemOfDer(fields.der);
  let parsed: ParsedCertificate | undefined;
  const full = () => {
    parsed ??= parseCertificatePem(pem);
    return parsed;
  };
  return {
    pem,
    der: fields.der,
    certificateId: createHash('sha256').update(fields.der).digest('hex'),
    subjectName: fields.subjectName,
    issuerName: fields.issuerName,
    subject: parseDistinguishedName(fields.subjectName),
    issuer: parseDistinguishedName(fields.issuerName),
    serialNumber: fields.serialNumber,
    notBefore: new Date(Math.floor(fields.notBefore.getTime() / 1000) * 1000),
    notAfter: new Date(Math.floor(fields.notAfter.getTime() / 1000) * 1000),
    isCa: false,
    get x509() {
      return full().x509;
    },
  };
}
