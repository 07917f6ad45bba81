import { createHash, X509Certificate } from 'node:crypto';
import type { IoTEndpoint } from '../../src/contract/index.js';

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

/** A certificate's ARN when the account is known (embedded target, or after DescribeEndpoint). */
export function certificateArnOf(
  endpoint: Pick<IoTEndpoint, 'region' | 'accountId'>,
  certificateId: string,
): string | undefined {
  return endpoint.accountId
    ? `arn:aws:iot:${endpoint.region}:${endpoint.accountId}:cert/${certificateId}`
    : undefined;
}
