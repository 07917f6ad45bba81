import { CreateKeysAndCertificateCommand } from '@aws-sdk/client-iot';
import { type Device, ProtocolError, type RunContext, type Scenario } from '../src/contract/index.js';
import { createPolicy, provisionThingWithCertificate } from './lib/attach.js';
import { devicePolicyDocument } from './lib/device-policy.js';
import { proveConnected } from './lib/field.js';
import { resourceName, thingNameOf } from './lib/names.js';

interface PreIssuedState {
  thingName: string;
  certificatePem: string;
  privateKeyPem: string;
}

/** CreateKeysAndCertificate for one device, recorded in the ledger before it is made. */
async function createKeysAndCertificate(
  ctx: RunContext,
  device: Pick<Device, 'index'>,
  thingName: string,
): Promise<{ certificateArn: string; certificatePem: string; privateKeyPem: string }> {
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
const preIssued: Scenario<PreIssuedState> = {
  id: 'pre-issued',
  title: 'Pre-issued certificates (factory calls CreateKeysAndCertificate)',
  apiPlan: {
    perDevice: {
      CreateKeysAndCertificate: 1,
      CreateThing: 1,
      AttachPolicy: 1,
      AttachThingPrincipal: 1,
      'mqtt:Connect': 1,
    },
    perRun: { CreatePolicy: 1 },
  },
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
    const thingName = thingNameOf(device);
    const created = await provisionThingWithCertificate(ctx, device, {
      thingName,
      policyName: ctx.shared.policyName as string,
      createCertificate: () => createKeysAndCertificate(ctx, device, thingName),
    });
    device.state.thingName = thingName;
    device.state.certificatePem = created.certificatePem;
    device.state.privateKeyPem = created.privateKeyPem;
  },

  async boot(device, ctx) {
    const { thingName, certificatePem, privateKeyPem } = device.state;
    if (!thingName || !certificatePem || !privateKeyPem) {
      throw new ProtocolError(
        `device ${device.index} has no factory credentials: manufacture must run first`,
      );
    }
    await proveConnected(device, ctx, { clientId: thingName, certificatePem, privateKeyPem });
  },

  async teardown() {
    // Everything pre-issued creates is in the ledger; the engine deletes it in dependency order.
  },
};

export default preIssued;
