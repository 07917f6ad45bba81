import { createHash } from 'node:crypto';

/** Headers of a request signed with the CK from SIM authentication (SORACOM Endorse client). */
export interface KryptonSignatureHeaders {
  'x-soracom-timestamp': string;
  'x-soracom-digest-algorithm': 'SHA-256';
  'x-soracom-signature': string;
}

/** base64(SHA-256(body || timestamp || CK)): a plain hash over the concatenation, not an HMAC. */
export function computeKryptonSignature(body: Buffer | string, timestamp: string, ck: Buffer): string {
  return createHash('sha256').update(body).update(timestamp).update(ck).digest('base64');
}

export function signKryptonRequest(
  body: Buffer | string,
  ck: Buffer,
  timestampMs: number = Date.now(),
): KryptonSignatureHeaders {
  const timestamp = String(timestampMs);
  return {
    'x-soracom-timestamp': timestamp,
    'x-soracom-digest-algorithm': 'SHA-256',
    'x-soracom-signature': computeKryptonSignature(body, timestamp, ck),
  };
}
