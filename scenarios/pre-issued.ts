import { CreateKeysAndCertificateCommand } from '@aws-sdk/client-iot';
import { type Device, ProtocolError, type RunContext, type Scenario } from '../src/contract/index.js';
import { AWS_ISSUED_IDENTITY_CALLS, createPolicy } from './lib/attach.js';
import { devicePolicyDocument } from './lib/device-policy.js';
import {
  bootWithFactoryCredentials,
  type FactoryCertificate,
  type FactoryCredentials,
  manufactureWithCertificate,
} from './lib/factory-credentials.js';
import { allow, createAndAttachThing, createRunPolicies, iamPolicy } from './lib/iam-policies.js';
import { resourceName } from './lib/names.js';

/** CreateKeysAndCertificate for one device, recorded in the ledger before it is made. */
async function createKeysAndCertificate(
  ctx: RunContext,
  device: Pick<Device, 'index'>,
  thingName: string,
): Promise<FactoryCertificate> {
  const created = await ctx.phase('create-keys-and-certificate', () =>
    ctx.ledger.track(
      { kind: 'certificate', thingName, deviceIndex: device.index },
      () => ctx.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
      (out) => ({ id: out.certificateId, arn: out.certificateArn }),
    ),
  );
  if (!created.certificateArn || !created.certificatePem || !created.keyPair?.PrivateKey) {
    throw new ProtocolError('CreateKeysAndCertificate returned no certificate or private key');
  }
  return {
    certificateArn: created.certificateArn,
    certificatePem: created.certificatePem,
    privateKeyPem: created.keyPair.PrivateKey,
  };
}

/**
 * Pre-issued certificates: the factory calls AWS IoT for every device (keys, certificate,
 * thing, policy) and writes certificate and key into the device image; the device only connects.
 */
const preIssued: Scenario<FactoryCredentials> = {
  id: 'pre-issued',
  title: 'Pre-issued certificates (factory calls CreateKeysAndCertificate)',
  apiPlan: {
    perDevice: {
      ...AWS_ISSUED_IDENTITY_CALLS,
      'mqtt:Connect': 1,
    },
    perRun: { CreatePolicy: 1 },
  },
  iamPolicies: (scope) => ({
    operator: iamPolicy(createRunPolicies(scope)),
    factory: iamPolicy(allow(['CreateKeysAndCertificate']), ...createAndAttachThing(scope)),
  }),
  facts: {
    factorySteps: [
      'CreateKeysAndCertificate',
      'CreateThing',
      'AttachPolicy',
      'AttachThingPrincipal',
      'write certificate and private key into the device image',
    ],
    caToOperate: false,
    cloudCompute: null,
    bootstrapApi: null,
    secretsAtManufacturing: ['device private key', 'device certificate'],
    rootOfIdentity: 'AWS IoT-issued certificate injected at the factory',
  },

  async prepare(ctx) {
    ctx.shared.policyName = await createPolicy(
      ctx,
      resourceName(ctx, 'device'),
      devicePolicyDocument(ctx.endpoint),
    );
  },

  async manufacture(device, ctx) {
    await manufactureWithCertificate(device, ctx, (thingName) =>
      createKeysAndCertificate(ctx, device, thingName),
    );
  },

  boot: bootWithFactoryCredentials,

  async teardown() {
    // Everything pre-issued creates is in the ledger; the engine deletes it in dependency order.
  },
};

export default preIssued;
