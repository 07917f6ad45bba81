import { createHash, X509Certificate } from 'node:crypto';

/**
 * A public key's fingerprint as the ledger records it: SHA-256 (lowercase hex) of its
 * SubjectPublicKeyInfo DER. A device that makes its own key knows it before any certificate
 * exists, so cleanup can recognise the certificate later whatever id AWS gave it.
 */
export function publicKeyFingerprint(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}

/** The fingerprint of the public key a PEM certificate carries. */
export function certificateKeyFingerprint(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return publicKeyFingerprint(spki);
}
