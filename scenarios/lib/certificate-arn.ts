import type { IoTEndpoint } from '../../src/contract/index.js';

/** A certificate's ARN when the account is known (embedded target, or after DescribeEndpoint). */
export function certificateArnOf(
  endpoint: Pick<IoTEndpoint, 'region' | 'accountId'>,
  certificateId: string,
): string | undefined {
  return endpoint.accountId
    ? `arn:aws:iot:${endpoint.region}:${endpoint.accountId}:cert/${certificateId}`
    : undefined;
}
