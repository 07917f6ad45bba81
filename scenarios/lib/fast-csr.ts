import { type KeyObject, sign, verify } from 'node:crypto';
import { bitString, readTlv, sequence } from '../../src/pki/der.js';
import { encodeSubject, renderSubject } from './distinguished-name.js';
import { publicKeyOf } from './spki.js';

/**
 * PKCS#10 (RFC 2986) with Node's own signing: the general ASN.1 library costs ~10 ms per CSR
 * on a loaded 2-core machine, this well under 1 ms, which matters at thousands of devices.
 */

const SIGNATURE_ALGORITHM = {
  ec: sequence(Buffer.from('06082a8648ce3d040302', 'hex')), // ecdsa-with-SHA256
  rsa: sequence(Buffer.from('06092a864886f70d01010b0500', 'hex')), // sha256WithRSAEncryption
};
const VERSION_0 = Buffer.from('020100', 'hex');
const NO_ATTRIBUTES = Buffer.from('a000', 'hex');

function pem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A CSR for `subject` (e.g. `CN=dev-1`), signed with SHA-256 by the device's key. */
export function encodeCsr(params: { subject: string; spkiDer: Buffer; privateKey: KeyObject }): string {
  const key = params.privateKey;
  const info = sequence(VERSION_0, encodeSubject(params.subject), params.spkiDer, NO_ATTRIBUTES);
  const algorithm = key.asymmetricKeyType === 'rsa' ? SIGNATURE_ALGORITHM.rsa : SIGNATURE_ALGORITHM.ec;
  const signature = sign('sha256', info, key);
  return pem(sequence(info, algorithm, bitString(signature)), 'CERTIFICATE REQUEST');
}

export interface VerifiedCsr {
  /** The requested public key, SPKI DER. */
  spkiDer: Buffer;
  /** Subject in RFC 4514 form, e.g. `CN=dev-1, O=acme`. */
  subject: string;
}

/**
 * Decodes a CSR PEM and checks its self-signature with the key it carries; null when the
 * signature does not verify. Throws when the PEM is not a CSR at all.
 */
export function verifyCsr(csrPem: string): VerifiedCsr | null {
  const body = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]+?)-----END/.exec(csrPem)?.[1];
  if (!body) throw new Error('not a PEM certificate request: expected "-----BEGIN CERTIFICATE REQUEST-----"');
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const outer = readTlv(der, 0);
  const info = readTlv(der, outer.contentStart);
  const algorithm = readTlv(der, info.end);
  const signature = readTlv(der, algorithm.end);
  const version = readTlv(der, info.contentStart);
  const name = readTlv(der, version.end);
  const spki = readTlv(der, name.end);
  const infoDer = der.subarray(outer.contentStart, info.end);
  const spkiDer = der.subarray(name.end, spki.end);
  // BIT STRING: the first content byte counts unused bits (0 for signatures).
  const signatureBytes = der.subarray(signature.contentStart + 1, signature.end);
  if (!verify('sha256', infoDer, publicKeyOf(spkiDer), signatureBytes)) return null;
  return { spkiDer: Buffer.from(spkiDer), subject: renderSubject(der.subarray(version.end, name.end)) };
}
