import type { LedgerHandle, Scenario } from '../src/contract/index.js';
import { certificateIdOf } from '../src/pki/certificate.js';
import { createPolicy } from './lib/attach.js';
import { certificateArnOf } from './lib/certificate-arn.js';
import {
  type CustomerCaDeviceState,
  customerCaCredentialsOf,
  manufactureWithCustomerCa,
  registerCustomerCa,
} from './lib/customer-ca.js';
import { devicePolicyDocument } from './lib/device-policy.js';
import {
  createRunPolicies,
  iamPolicy,
  passProvisioningRole,
  registerCaStatement,
} from './lib/iam-policies.js';
import { bootJustInTime } from './lib/just-in-time.js';
import { resourceName } from './lib/names.js';
import { provisioningRoleArn } from './lib/provisioning-role.js';
import { templateVariant, withTemplateVariants } from './lib/template-variants.js';
import { classificationProperties, type ThingClassification } from './lib/thing-classification.js';

/**
 * The JITP template on the CA: thing named by the certificate CN (with a type and a group when
 * given), the certificate by its ID (JITP templates must use CertificateId), the run's device
 * policy by name.
 */
export function jitpTemplateBody(policyName: string, classification?: ThingClassification): string {
  return JSON.stringify({
    Parameters: {
      'AWS::IoT::Certificate::CommonName': { Type: 'String' },
      'AWS::IoT::Certificate::Id': { Type: 'String' },
    },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: {
          ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' },
          ...classificationProperties(classification),
        },
      },
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
      },
      policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: policyName } },
    },
  });
}

/**
 * Just-in-time provisioning: like JITR, but a provisioning template on the CA creates the
 * thing, attaches the policy and activates the certificate inside AWS IoT; no compute of ours.
 */
const jitp: Scenario<CustomerCaDeviceState> = {
  id: 'jitp',
  title: 'Just-in-time provisioning (own CA with a provisioning template)',
  variants: withTemplateVariants('plain'),
  // The template runs inside AWS IoT; what caps it is the device-certificate registration rate.
  apiPlan: {
    perDevice: { 'mqtt:Connect': 2, 'iot:DeviceCertificateRegistration': 1 },
    // CreateThingType and CreateThingGroup: the thing-type-and-group variant only.
    perRun: {
      CreatePolicy: 1,
      GetRegistrationCode: 1,
      RegisterCACertificate: 1,
      CreateThingType: 1,
      CreateThingGroup: 1,
    },
  },
  // The factory only signs with the customer CA; AWS IoT provisions on first connect.
  iamPolicies: (scope) => ({
    operator: iamPolicy(
      registerCaStatement(),
      createRunPolicies(scope),
      passProvisioningRole(),
      ...templateVariant(scope.variant).operatorStatements(scope),
    ),
  }),
  facts: {
    factorySteps: ['device generates key', 'customer CA signs the device certificate'],
    caToOperate: true,
    cloudCompute: null,
    bootstrapApi: null,
    secretsAtManufacturing: ['device private key', 'device certificate'],
    rootOfIdentity: 'certificate from the customer CA, provisioned by a template on first connect',
  },

  async prepare(ctx) {
    const variant = templateVariant(ctx.options.variant);
    const policyName = await createPolicy(
      ctx,
      resourceName(ctx, 'device'),
      variant.devicePolicy(ctx, devicePolicyDocument(ctx.endpoint)),
    );
    ctx.shared.policyName = policyName;
    const { classification } = await variant.prepare(ctx);
    ctx.shared.ca = await registerCustomerCa(ctx, {
      allowAutoRegistration: true,
      registrationConfig: {
        templateBody: jitpTemplateBody(policyName, classification),
        roleArn: provisioningRoleArn(ctx),
      },
    });
  },

  manufacture: manufactureWithCustomerCa,

  async boot(device, ctx) {
    const { thingName, certificatePem } = customerCaCredentialsOf(device);
    // The template creates these inside AWS IoT on first connect: record them before it can.
    const certificateId = certificateIdOf(certificatePem);
    const policyName = ctx.shared.policyName as string;
    const principal = certificateArnOf(ctx.endpoint, certificateId);
    const intents: LedgerHandle[] = [
      ctx.ledger.intend({
        kind: 'certificate',
        id: certificateId,
        arn: principal,
        thingName,
        deviceIndex: device.index,
      }),
      ctx.ledger.intend({ kind: 'thing', name: thingName, deviceIndex: device.index }),
      ctx.ledger.intend({
        kind: 'policy-principal',
        policyName,
        id: certificateId,
        deviceIndex: device.index,
      }),
      ctx.ledger.intend({
        kind: 'thing-principal',
        thingName,
        id: certificateId,
        principal,
        deviceIndex: device.index,
      }),
    ];
    await bootJustInTime(device, ctx, () => {
      for (const intent of intents) ctx.ledger.acknowledge(intent);
    });
    await templateVariant(ctx.options.variant).boot(ctx, customerCaCredentialsOf(device));
  },

  async teardown() {
    // The CA (with its template), the policy and every device's resources are in the ledger.
  },
};

export default jitp;
