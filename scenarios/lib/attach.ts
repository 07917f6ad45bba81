import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreatePolicyCommand,
  CreateThingCommand,
} from '@aws-sdk/client-iot';
import type { Device, RunContext } from '../../src/engine/scenario.js';

/**
 * The registry half of every control-plane pattern: CreateThing, AttachPolicy(cert),
 * AttachThingPrincipal(cert), each recorded in the ledger before it is made.
 */
export async function registerThingWithCertificate(
  ctx: RunContext,
  device: Pick<Device, 'index'>,
  params: { thingName: string; certificateArn: string; policyName: string },
): Promise<void> {
  const { thingName, certificateArn, policyName } = params;
  await ctx.phase('create-thing', () =>
    ctx.ledger.track({ kind: 'thing', name: thingName, deviceIndex: device.index }, () =>
      ctx.iot.send(new CreateThingCommand({ thingName })),
    ),
  );
  await ctx.phase('attach-policy', () =>
    ctx.ledger.track(
      { kind: 'policy-principal', policyName, principal: certificateArn, deviceIndex: device.index },
      () => ctx.iot.send(new AttachPolicyCommand({ policyName, target: certificateArn })),
    ),
  );
  await ctx.phase('attach-thing-principal', () =>
    ctx.ledger.track(
      { kind: 'thing-principal', thingName, principal: certificateArn, deviceIndex: device.index },
      () => ctx.iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn })),
    ),
  );
}

/** Creates the run's device policy (recorded in the ledger) and returns its name. */
export async function createPolicy(
  ctx: RunContext,
  policyName: string,
  policyDocument: string,
): Promise<string> {
  await ctx.phase('create-policy', () =>
    ctx.ledger.track({ kind: 'policy', name: policyName }, () =>
      ctx.iot.send(new CreatePolicyCommand({ policyName, policyDocument, tags: [...ctx.tags] })),
    ),
  );
  return policyName;
}
