import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreateProvisioningTemplateCommand,
} from '@aws-sdk/client-iot';
import { type Device, ProtocolError, type RunContext, type Scenario } from '../src/contract/index.js';
import { publicKeyFingerprint } from '../src/pki/fingerprint.js';
import { createPolicy } from './lib/attach.js';
import { certificateArnOf } from './lib/certificate-arn.js';
import { createCsr, dnValue, generateDeviceKey } from './lib/device-keys.js';
import { claimPolicyDocument, devicePolicyDocument } from './lib/device-policy.js';
import { connectDevice, proveConnected } from './lib/field.js';
import {
  createCertificateFromCsr,
  createKeysAndCertificate,
  registerThing,
} from './lib/fleet-provisioning-client.js';
import {
  allow,
  createRunPolicies,
  iamPolicy,
  passProvisioningRole,
  runResources,
} from './lib/iam-policies.js';
import type { DeviceMqttConnection } from './lib/mqtt-device.js';
import { resourceName, runDescription, templateName, thingNameOf } from './lib/names.js';
import { provisioningRoleArn } from './lib/provisioning-role.js';
import { templateVariant, withTemplateVariants } from './lib/template-variants.js';
import { classificationProperties, type ThingClassification } from './lib/thing-classification.js';

/** The template variants get their certificate as `create-keys` does. */
const VARIANTS = withTemplateVariants('create-keys', 'create-from-csr');
type Variant = (typeof VARIANTS)[number];

interface SharedClaim {
  templateName: string;
  claimCertificatePem: string;
  /**
   * The claim key every device ships with; never logged, written only while a resumable run
   * needs it (its run dir's prepared-<n>.json, mode 0600, gone once the scenario ended).
   */
  claimPrivateKeyPem: string;
}

/**
 * The fleet template: thing named by the SerialNumber parameter (with a type and a group when
 * given), certificate by ID, policy by name.
 */
export function fleetTemplateBody(policyName: string, classification?: ThingClassification): string {
  return JSON.stringify({
    Parameters: {
      SerialNumber: { Type: 'String' },
      'AWS::IoT::Certificate::Id': { Type: 'String' },
    },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: { ThingName: { Ref: 'SerialNumber' }, ...classificationProperties(classification) },
      },
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
      },
      policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: policyName } },
    },
    DeviceConfiguration: { bootTopicPrefix: 'provbench/things/' },
  });
}

function variantOf(ctx: RunContext): Variant {
  const variant = ctx.options.variant ?? VARIANTS[0];
  if (!(VARIANTS as readonly string[]).includes(variant)) {
    throw new ProtocolError(
      `fleet-provisioning has no variant "${variant}"; use one of ${VARIANTS.join(', ')}`,
    );
  }
  return variant as Variant;
}

/** CreateKeysAndCertificate over the claim connection: AWS IoT makes the key too. */
async function createKeysOverClaim(
  ctx: RunContext,
  device: Device,
  claim: DeviceMqttConnection,
  thingName: string,
  templateName: string,
) {
  // AWS makes the key: the thing and template the certificate is for, and the intent's
  // time, are all cleanup has to find it by if the call never returns.
  const intent = ctx.ledger.intend({
    kind: 'certificate',
    thingName,
    templateName,
    deviceIndex: device.index,
  });
  const created = await ctx.phase('create-keys-and-certificate', () =>
    ctx.call('mqtt:CreateKeysAndCertificate', () => createKeysAndCertificate(claim)),
  );
  return { created, privateKeyPem: created.privateKey, intent };
}

/** CreateCertificateFromCsr over the claim connection: the key never leaves the device. */
async function createFromDeviceCsr(
  ctx: RunContext,
  device: Device,
  claim: DeviceMqttConnection,
  thingName: string,
  templateName: string,
) {
  const key = await ctx.phase('device-key-and-csr', async () => {
    const pair = await generateDeviceKey(ctx.options.keyType);
    return { pair, csrPem: createCsr(pair, `CN=${dnValue(thingName)}`) };
  });
  // The device's own key: its certificate, whatever id AWS gives it, carries this public key.
  const intent = ctx.ledger.intend({
    kind: 'certificate',
    thingName,
    templateName,
    publicKey: publicKeyFingerprint(key.pair.spkiDer),
    deviceIndex: device.index,
  });
  const created = await ctx.phase('create-certificate-from-csr', () =>
    ctx.call('mqtt:CreateCertificateFromCsr', () => createCertificateFromCsr(claim, key.csrPem)),
  );
  return { created, privateKeyPem: key.pair.privateKeyPem, intent };
}

/** Step 1 over the claim connection: a certificate (and key, or from the device's own CSR). */
async function obtainCertificate(
  device: Device,
  ctx: RunContext,
  claim: DeviceMqttConnection,
): Promise<{ certificateId: string; certificatePem: string; privateKeyPem: string; ownershipToken: string }> {
  const thingName = thingNameOf(device);
  const templateName = (ctx.shared.claim as SharedClaim).templateName;
  const { created, privateKeyPem, intent } =
    variantOf(ctx) === 'create-from-csr'
      ? await createFromDeviceCsr(ctx, device, claim, thingName, templateName)
      : await createKeysOverClaim(ctx, device, claim, thingName, templateName);
  ctx.ledger.acknowledge(intent, {
    id: created.certificateId,
    arn: certificateArnOf(ctx.endpoint, created.certificateId),
  });
  return {
    certificateId: created.certificateId,
    certificatePem: created.certificatePem,
    privateKeyPem,
    ownershipToken: created.certificateOwnershipToken,
  };
}

/**
 * Fleet provisioning by claim: every device ships the same claim certificate; over MQTT it
 * gets its own certificate (CreateKeysAndCertificate, or CreateCertificateFromCsr with a key
 * that never leaves it), calls RegisterThing with the template, then reconnects as itself.
 */
const fleetProvisioning: Scenario = {
  id: 'fleet-provisioning',
  title: 'Fleet provisioning by claim (shared claim certificate, MQTT provisioning API)',
  variants: VARIANTS,
  // The certificate call depends on the variant and is measured; RegisterThing caps both.
  apiPlan: {
    perDevice: { 'mqtt:Connect': 2, 'mqtt:RegisterThing': 1 },
    // CreateThingType and CreateThingGroup: the thing-type-and-group variant only.
    perRun: {
      CreatePolicy: 2,
      CreateProvisioningTemplate: 1,
      CreateKeysAndCertificate: 1,
      AttachPolicy: 1,
      CreateThingType: 1,
      CreateThingGroup: 1,
    },
  },
  // Devices provision themselves over MQTT with the claim; the factory only copies it.
  iamPolicies: (scope) => ({
    operator: iamPolicy(
      createRunPolicies(scope),
      allow(['CreateProvisioningTemplate', 'TagResource'], runResources(scope).templates),
      passProvisioningRole(),
      allow(['CreateKeysAndCertificate']),
      allow(['AttachPolicy'], runResources(scope).certificates),
      ...templateVariant(scope.variant).operatorStatements(scope),
    ),
  }),
  facts: {
    factorySteps: ['write the shared claim certificate and key into the device image'],
    caToOperate: false,
    cloudCompute: null,
    bootstrapApi:
      'AWS IoT fleet provisioning MQTT API ($aws/certificates/..., $aws/provisioning-templates/...)',
    secretsAtManufacturing: ['shared claim certificate and private key'],
    rootOfIdentity: 'possession of the shared claim certificate',
  },

  async prepare(ctx) {
    const variant = templateVariant(variantOf(ctx));
    const policyName = await createPolicy(
      ctx,
      resourceName(ctx, 'device'),
      variant.devicePolicy(ctx, devicePolicyDocument(ctx.endpoint)),
    );
    const { classification } = await variant.prepare(ctx);
    const name = templateName(ctx, 'fleet');
    await ctx.phase('create-provisioning-template', () =>
      ctx.ledger.track({ kind: 'provisioning-template', name }, () =>
        ctx.iot.send(
          new CreateProvisioningTemplateCommand({
            templateName: name,
            templateBody: fleetTemplateBody(policyName, classification),
            description: runDescription(ctx),
            provisioningRoleArn: provisioningRoleArn(ctx),
            enabled: true,
            type: 'FLEET_PROVISIONING',
            tags: [...ctx.tags],
          }),
        ),
      ),
    );
    const claimPolicyName = await createPolicy(
      ctx,
      resourceName(ctx, 'claim'),
      claimPolicyDocument(ctx.endpoint, name),
    );
    const claim = await ctx.phase('create-claim-certificate', () =>
      ctx.ledger.track(
        { kind: 'certificate' },
        () => ctx.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
        (out) => ({ id: out.certificateId, arn: out.certificateArn }),
      ),
    );
    if (!claim.certificateArn || !claim.certificatePem || !claim.keyPair?.PrivateKey) {
      throw new ProtocolError('CreateKeysAndCertificate returned no claim certificate or key');
    }
    const claimArn = claim.certificateArn;
    await ctx.phase('attach-claim-policy', () =>
      ctx.ledger.track({ kind: 'policy-principal', policyName: claimPolicyName, principal: claimArn }, () =>
        ctx.iot.send(new AttachPolicyCommand({ policyName: claimPolicyName, target: claimArn })),
      ),
    );
    const shared: SharedClaim = {
      templateName: name,
      claimCertificatePem: claim.certificatePem,
      claimPrivateKeyPem: claim.keyPair.PrivateKey,
    };
    ctx.shared.claim = shared;
    ctx.shared.policyName = policyName;
  },

  async boot(device, ctx) {
    const claim = ctx.shared.claim as SharedClaim | undefined;
    if (!claim)
      throw new ProtocolError('ctx.shared.claim is missing: prepare must create the claim certificate');
    const thingName = thingNameOf(device);
    const claimConnection = await connectDevice(
      ctx,
      {
        clientId: `claim-${thingName}`,
        certificatePem: claim.claimCertificatePem,
        privateKeyPem: claim.claimPrivateKeyPem,
      },
      'claim-connect',
    );
    let own: Awaited<ReturnType<typeof obtainCertificate>>;
    try {
      own = await obtainCertificate(device, ctx, claimConnection);
      const principal = certificateArnOf(ctx.endpoint, own.certificateId);
      const policyName = ctx.shared.policyName as string;
      const intents = [
        ctx.ledger.intend({ kind: 'thing', name: thingName, deviceIndex: device.index }),
        ctx.ledger.intend({
          kind: 'policy-principal',
          policyName,
          id: own.certificateId,
          principal,
          deviceIndex: device.index,
        }),
        ctx.ledger.intend({
          kind: 'thing-principal',
          thingName,
          id: own.certificateId,
          principal,
          deviceIndex: device.index,
        }),
      ];
      const registered = await ctx.phase('register-thing', () =>
        ctx.call('mqtt:RegisterThing', () =>
          registerThing(claimConnection, claim.templateName, own.ownershipToken, { SerialNumber: thingName }),
        ),
      );
      if (registered.thingName !== thingName) {
        throw new ProtocolError(
          `RegisterThing named the thing "${registered.thingName}", expected "${thingName}"`,
        );
      }
      for (const intent of intents) ctx.ledger.acknowledge(intent);
    } finally {
      await claimConnection.end();
    }
    await proveConnected(device, ctx, {
      clientId: thingName,
      certificatePem: own.certificatePem,
      privateKeyPem: own.privateKeyPem,
    });
    await templateVariant(variantOf(ctx)).boot(ctx, { thingName, ...own });
  },

  async teardown() {
    // Template, policies, claim certificate and every device's resources are in the ledger.
  },
};

export default fleetProvisioning;
