import { createPublicKey } from 'node:crypto';
import { type DistinguishedName, parseDistinguishedName } from './certificate.js';
import { importKeyPair, importSigningKey, type KeyPairPem } from './keys.js';
import { x509 } from './webcrypto.js';

export class CsrParseError extends Error {
  override readonly name = 'CsrParseError';
}

export interface ParsedCsr {
  /** SPKI DER of the requested public key. */
  publicKeyDer: Buffer;
  /** Subject rendered like Node's X509Certificate (one field per line). */
  subjectName: string;
  subject: DistinguishedName;
  keyType: 'rsa' | 'ec';
  /** RSA modulus bits or EC curve name. */
  keySize: number | string;
}

/**
 * Parses a PKCS#10 CSR PEM and checks its self-signature. Throws CsrParseError saying what
 * is wrong (not PEM, undecodable, bad signature).
 */
export async function parseCsrPem(pem: string): Promise<ParsedCsr> {
  if (typeof pem !== 'string' || !/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(pem)) {
    throw new CsrParseError('not a PEM CSR: expected a "-----BEGIN CERTIFICATE REQUEST-----" block');
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem.replace(/NEW CERTIFICATE REQUEST/g, 'CERTIFICATE REQUEST'));
  } catch (error) {
    throw new CsrParseError(`CSR could not be decoded: ${(error as Error).message}`);
  }
  let valid = false;
  try {
    valid = await csr.verify();
  } catch (error) {
    throw new CsrParseError(`CSR signature could not be checked: ${(error as Error).message}`);
  }
  if (!valid) throw new CsrParseError('CSR signature does not verify with its own public key');
  const publicKeyDer = Buffer.from(csr.publicKey.rawData);
  const keyObject = createPublicKey({ key: publicKeyDer, format: 'der', type: 'spki' });
  const details = keyObject.asymmetricKeyDetails ?? {};
  const keyType = keyObject.asymmetricKeyType === 'rsa' ? 'rsa' : 'ec';
  if (keyObject.asymmetricKeyType !== 'rsa' && keyObject.asymmetricKeyType !== 'ec') {
    throw new CsrParseError(`CSR key type ${keyObject.asymmetricKeyType} is not supported: use RSA or EC`);
  }
  const subjectName = csr.subjectName
    .toJSON()
    .flatMap((rdn) =>
      Object.entries(rdn).flatMap(([key, values]) => values.map((value) => `${key}=${value}`)),
    )
    .join('\n');
  return {
    publicKeyDer,
    subjectName,
    subject: parseDistinguishedName(subjectName),
    keyType,
    keySize: keyType === 'rsa' ? (details.modulusLength ?? 0) : (details.namedCurve ?? ''),
  };
}

/** Builds a PEM CSR for a key pair (device side of CreateCertificateFromCsr and BYO CA). */
export async function createCsrPem(keyPair: KeyPairPem, subject: string): Promise<string> {
  const keys = await importKeyPair(keyPair);
  const signing = await importSigningKey(keyPair.privateKeyPem);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: signing.signingAlgorithm,
  });
  return `${csr.toString('pem')}\n`;
}
