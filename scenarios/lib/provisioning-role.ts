import type { RunContext } from '../../src/contract/index.js';

/**
 * The IAM role AWS IoT assumes to run a provisioning template (JITP, fleet provisioning). On
 * real AWS it must exist with AWSIoTThingsRegistration: set PROVBENCH_PROVISIONING_ROLE_ARN.
 * The embedded emulator accepts any well-formed role ARN.
 */
export function provisioningRoleArn(ctx: Pick<RunContext, 'endpoint'>): string {
  const configured = process.env.PROVBENCH_PROVISIONING_ROLE_ARN;
  if (configured) return configured;
  return `arn:aws:iam::${ctx.endpoint.accountId ?? '000000000000'}:role/provbench-provisioning`;
}
