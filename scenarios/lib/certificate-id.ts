import { createHash, X509Certificate } from 'node:crypto';

/** AWS IoT's certificate ID: lowercase hex SHA-256 of the certificate's DER encoding. */
export function certificateIdOf(certificatePem: string): string {
  return createHash('sha256').update(new X509Certificate(certificatePem).raw).digest('hex');
}

/** The subject Common Name of a PEM certificate, or null when it has none. */
export function commonNameOf(certificatePem: string): string | null {
  const subject = new X509Certificate(certificatePem).subject;
  const line = subject.split('\n').find((part) => part.startsWith('CN='));
  return line ? line.slice(3) : null;
}
