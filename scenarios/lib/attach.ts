import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreatePolicyCommand,
  CreateThingCommand,
} from '@aws-sdk/client-iot';
import type { Device, RunContext } from '../../src/contract/index.js';

/**
 * Both steps' results, like Promise.all, but it throws only once both have settled: a failed
 * step never leaves the other in flight, so each creation is acknowledged in the ledger (or
 * known to have failed) before the device counts as failed.
 */
export async function settleBoth<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

/**
 * The AWS IoT calls that give one device an AWS-issued certificate, a thing and its policy:
 * what the pre-issued factory line and a Krypton bootstrap service each make per device.
 */
export const AWS_ISSUED_IDENTITY_CALLS = {
  CreateKeysAndCertificate: 1,
  CreateThing: 1,
  AttachPolicy: 1,
  AttachThingPrincipal: 1,
} as const;

/**
 * The factory's registry work for one device in every control-plane pattern, as AWS's own
 * provisioners run it: CreateThing side by side with the credential step (which returns the
 * certificate's ARN), then AttachPolicy side by side with AttachThingPrincipal. Every creation
 * is recorded in the ledger before it is made. Returns what `createCertificate` returned.
 */
export async function provisionThingWithCertificate<Certificate extends { certificateArn: string }>(
  ctx: RunContext,
  device: Pick<Device, 'index'>,
  params: { thingName: string; policyName: string; createCertificate: () => Promise<Certificate> },
): Promise<Certificate> {
  const { thingName, policyName } = params;
  const [certificate] = await settleBoth(params.createCertificate(), createThing(ctx, device, thingName));
  const { certificateArn } = certificate;
  await settleBoth(
    ctx.phase('attach-policy', () =>
      ctx.ledger.track(
        { kind: 'policy-principal', policyName, principal: certificateArn, deviceIndex: device.index },
        () => ctx.iot.send(new AttachPolicyCommand({ policyName, target: certificateArn })),
      ),
    ),
    ctx.phase('attach-thing-principal', () =>
      ctx.ledger.track(
        { kind: 'thing-principal', thingName, principal: certificateArn, deviceIndex: device.index },
        () => ctx.iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn })),
      ),
    ),
  );
  return certificate;
}

function createThing(ctx: RunContext, device: Pick<Device, 'index'>, thingName: string): Promise<unknown> {
  return ctx.phase('create-thing', () =>
    ctx.ledger.track({ kind: 'thing', name: thingName, deviceIndex: device.index }, () =>
      ctx.iot.send(new CreateThingCommand({ thingName })),
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
