import { RegisterCertificateCommand } from '@aws-sdk/client-iot';
import { type Device, ProtocolError, type RunContext, type Scenario } from '../src/contract/index.js';
import { certificateIdOf } from '../src/pki/certificate.js';
import { publicKeyFingerprint } from '../src/pki/fingerprint.js';
import { createPolicy } from './lib/attach.js';
import { certificateArnOf } from './lib/certificate-arn.js';
import { customerCaOf, registerCustomerCa } from './lib/customer-ca.js';
import type { DeviceCa } from './lib/device-ca.js';
import { createCsr, dnValue, generateDeviceKey } from './lib/device-keys.js';
import { devicePolicyDocument } from './lib/device-policy.js';
import {
  bootWithFactoryCredentials,
  type FactoryCertificate,
  type FactoryCredentials,
  manufactureWithCertificate,
} from './lib/factory-credentials.js';
import {
  allow,
  createAndAttachThing,
  createRunPolicies,
  iamPolicy,
  registerCaStatement,
} from './lib/iam-policies.js';
import { resourceName } from './lib/names.js';

/**
 * The device makes a key and a CSR, the customer CA signs it, RegisterCertificate registers the
 * certificate (recorded in the ledger before it is made).
 */
async function issueAndRegister(
  ctx: RunContext,
  device: Pick<Device, 'index'>,
  ca: DeviceCa,
  thingName: string,
): Promise<FactoryCertificate> {
  const key = await ctx.phase('device-key-and-csr', async () => {
    const deviceKey = await generateDeviceKey(ctx.options.keyType);
    return { deviceKey, csrPem: createCsr(deviceKey, `CN=${dnValue(thingName)}`) };
  });
  const certificatePem = await ctx.phase('ca-sign', () => ca.signCsr(key.csrPem));
  // The certificate's id is its DER's SHA-256: known before RegisterCertificate makes it.
  const certificateId = certificateIdOf(certificatePem);
  const registered = await ctx.phase('register-certificate', () =>
    ctx.ledger.track(
      {
        kind: 'certificate',
        id: certificateId,
        arn: certificateArnOf(ctx.endpoint, certificateId),
        thingName,
        publicKey: publicKeyFingerprint(key.deviceKey.spkiDer),
        deviceIndex: device.index,
      },
      () =>
        ctx.iot.send(
          new RegisterCertificateCommand({
            certificatePem,
            caCertificatePem: ca.certificatePem,
            setAsActive: true,
          }),
        ),
      (out) => ({ id: out.certificateId, arn: out.certificateArn }),
    ),
  );
  if (!registered.certificateArn) throw new ProtocolError('RegisterCertificate returned no certificateArn');
  return {
    certificateArn: registered.certificateArn,
    certificatePem,
    privateKeyPem: key.deviceKey.privateKeyPem,
  };
}

/**
 * Bring your own CA: the CA is registered once; the factory has each device make a key and
 * CSR, signs it with the CA, and registers the certificate, thing and policy one by one.
 */
const byoCa: Scenario<FactoryCredentials> = {
  id: 'byo-ca',
  title: 'Own CA, certificates registered one by one at the factory',
  apiPlan: {
    perDevice: {
      RegisterCertificate: 1,
      'iot:DeviceCertificateRegistration': 1,
      CreateThing: 1,
      AttachPolicy: 1,
      AttachThingPrincipal: 1,
      'mqtt:Connect': 1,
    },
    perRun: { GetRegistrationCode: 1, RegisterCACertificate: 1, CreatePolicy: 1 },
  },
  iamPolicies: (scope) => ({
    operator: iamPolicy(registerCaStatement(), createRunPolicies(scope)),
    factory: iamPolicy(allow(['RegisterCertificate']), ...createAndAttachThing(scope)),
  }),
  facts: {
    factorySteps: [
      'device generates key and CSR',
      'customer CA signs the CSR',
      'RegisterCertificate',
      'CreateThing',
      'AttachPolicy',
      'AttachThingPrincipal',
    ],
    caToOperate: true,
    cloudCompute: null,
    bootstrapApi: null,
    secretsAtManufacturing: ['device private key (generated on the device)', 'device certificate'],
    rootOfIdentity: 'certificate from the customer CA, registered per device',
  },

  async prepare(ctx) {
    ctx.shared.ca = await registerCustomerCa(ctx, { allowAutoRegistration: false });
    ctx.shared.policyName = await createPolicy(
      ctx,
      resourceName(ctx, 'device'),
      devicePolicyDocument(ctx.endpoint),
    );
  },

  async manufacture(device, ctx) {
    const ca = await customerCaOf(ctx.shared);
    await manufactureWithCertificate(device, ctx, (thingName) =>
      issueAndRegister(ctx, device, ca, thingName),
    );
  },

  boot: bootWithFactoryCredentials,

  async teardown() {
    // The CA, policy and every device's certificate, thing and attachments are in the ledger.
  },
};

export default byoCa;
