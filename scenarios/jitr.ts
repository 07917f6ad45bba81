import type { Scenario } from '../src/contract/index.js';
import { certificateIdOf } from '../src/pki/certificate.js';
import { createPolicy } from './lib/attach.js';
import { certificateArnOf } from './lib/certificate-arn.js';
import {
  type CustomerCaDeviceState,
  customerCaCredentialsOf,
  manufactureWithCustomerCa,
  registerCustomerCa,
  type SharedCa,
} from './lib/customer-ca.js';
import { devicePolicyDocument } from './lib/device-policy.js';
import {
  allow,
  createAndAttachThing,
  createRunPolicies,
  iamPolicy,
  registerCaStatement,
  runResources,
} from './lib/iam-policies.js';
import { JitrActivator } from './lib/jitr-activator.js';
import { bootJustInTime } from './lib/just-in-time.js';
import { resourceName } from './lib/names.js';

let activator: JitrActivator | undefined;

/**
 * Just-in-time registration: the CA is registered with auto-registration; the factory only
 * signs device certificates. On first connect AWS registers the certificate as
 * PENDING_ACTIVATION, publishes an event and closes the connection; the activator (the
 * "Lambda") activates it, creates the thing and attaches the policy; the device reconnects.
 */
const jitr: Scenario<CustomerCaDeviceState> = {
  id: 'jitr',
  title: 'Just-in-time registration (own CA, activator on the registration event)',
  apiPlan: {
    perDevice: {
      'mqtt:Connect': 2,
      'iot:DeviceCertificateRegistration': 1,
      DescribeCertificate: 1,
      CreateThing: 1,
      AttachPolicy: 1,
      AttachThingPrincipal: 1,
      UpdateCertificate: 1,
      'lambda:Invoke': 1,
    },
    perRun: {
      GetRegistrationCode: 1,
      RegisterCACertificate: 1,
      CreatePolicy: 2,
      CreateKeysAndCertificate: 1,
      AttachPolicy: 1,
    },
  },
  iamPolicies: (scope) => ({
    // The operator also sets the activator up: its policy, its MQTT certificate.
    operator: iamPolicy(
      registerCaStatement(),
      createRunPolicies(scope),
      allow(['CreateKeysAndCertificate']),
      allow(['AttachPolicy'], runResources(scope).certificates),
    ),
    activator: iamPolicy(
      allow(['DescribeCertificate', 'UpdateCertificate'], runResources(scope).certificates),
      ...createAndAttachThing(scope),
    ),
  }),
  facts: {
    factorySteps: ['device generates key', 'customer CA signs the device certificate'],
    caToOperate: true,
    cloudCompute: 'activator on $aws/events/certificates/registered/<caId> (a Lambda on AWS)',
    bootstrapApi: null,
    secretsAtManufacturing: ['device private key', 'device certificate'],
    rootOfIdentity: 'certificate from the customer CA, registered on first connect',
  },

  async prepare(ctx) {
    const ca = await registerCustomerCa(ctx, { allowAutoRegistration: true });
    ctx.shared.ca = ca;
    const policyName = await createPolicy(
      ctx,
      resourceName(ctx, 'device'),
      devicePolicyDocument(ctx.endpoint),
    );
    ctx.shared.policyName = policyName;
    activator = await JitrActivator.start(ctx, ca.caCertificateId, policyName);
  },

  async resume(ctx) {
    // The CA and the policies are still there; the activator's connection (and its key, kept
    // in memory only) went with the last attempt: new credentials under its policy.
    const ca = ctx.shared.ca as SharedCa;
    activator = await JitrActivator.start(ctx, ca.caCertificateId, ctx.shared.policyName as string, {
      policyExists: true,
    });
  },

  manufacture: manufactureWithCustomerCa,

  async boot(device, ctx) {
    const { thingName, certificatePem } = customerCaCredentialsOf(device);
    // AWS registers the certificate on the first connect: record it (its id is its DER's
    // SHA-256) before it can. The activator records the thing and attachments it makes.
    const certificateId = certificateIdOf(certificatePem);
    const intent = ctx.ledger.intend({
      kind: 'certificate',
      id: certificateId,
      arn: certificateArnOf(ctx.endpoint, certificateId),
      thingName,
      deviceIndex: device.index,
    });
    await bootJustInTime(device, ctx, () => ctx.ledger.acknowledge(intent));
  },

  async teardown(ctx) {
    const stats = await activator?.stop();
    activator = undefined;
    if (stats) ctx.log.info('JITR activator stopped', { ...stats });
  },
};

export default jitr;
