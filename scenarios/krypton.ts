import { type Device, ProtocolError, type RunContext, type Scenario } from '../src/contract/index.js';
import { certificateIdOf } from '../src/pki/certificate.js';
import { SimCard } from '../src/sim/sim-card.js';
import { AWS_ISSUED_IDENTITY_CALLS, createPolicy } from './lib/attach.js';
import { certificateArnOf } from './lib/certificate-arn.js';
import { devicePolicyDocument } from './lib/device-policy.js';
import { proveConnected } from './lib/field.js';
import {
  allow,
  createAndAttachThing,
  createRunPolicies,
  iamPolicy,
  runResources,
} from './lib/iam-policies.js';
import { type BootstrapResponse, KryptonClient, type SimKey } from './lib/krypton-client.js';
import { asClassifiedError, kryptonUrlOf, operatorRequest } from './lib/krypton-operator.js';
import { kryptonThingNamePattern, resourceName } from './lib/names.js';

const VARIANTS = ['cellular', 'sim-auth'] as const;
type Variant = (typeof VARIANTS)[number];

interface KryptonShared {
  group: string;
  thingNamePattern: string;
  policyName: string;
}

function variantOf(ctx: RunContext): Variant {
  const variant = ctx.options.variant ?? VARIANTS[0];
  if (!(VARIANTS as readonly string[]).includes(variant)) {
    throw new ProtocolError(`krypton has no variant "${variant}"; use one of ${VARIANTS.join(', ')}`);
  }
  return variant as Variant;
}

function sharedOf(ctx: RunContext): KryptonShared {
  const shared = ctx.shared.krypton as KryptonShared | undefined;
  if (!shared) throw new ProtocolError('ctx.shared.krypton is missing: prepare must configure the SIM group');
  return shared;
}

async function rethrowTyped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw asClassifiedError(error);
  }
}

/** Bootstraps over the Krypton API; what the service creates in AWS IoT goes into the ledger. */
async function bootstrap(
  device: Device,
  ctx: RunContext,
  client: KryptonClient,
  key: SimKey | undefined,
): Promise<BootstrapResponse & { certificate: string }> {
  const thingName = sharedOf(ctx).thingNamePattern.replaceAll('$imsi', device.sim.imsi);
  const { policyName } = sharedOf(ctx);
  // The service makes the key, certificate, thing and attachments: record the thing, and a
  // certificate to be found through it (or in the run's time window) if the call never returns.
  const thingIntent = ctx.ledger.intend({ kind: 'thing', name: thingName, deviceIndex: device.index });
  const certificateIntent = ctx.ledger.intend({ kind: 'certificate', thingName, deviceIndex: device.index });
  const response = await ctx.phase('bootstrap', () =>
    ctx.call('krypton:Bootstrap', () => rethrowTyped(() => client.bootstrap({}, key))),
  );
  ctx.ledger.acknowledge(thingIntent);
  if (!response.certificate || !response.privateKey) {
    throw new ProtocolError('Krypton bootstrap returned no certificate or private key');
  }
  const certificateId = response.certificateId ?? certificateIdOf(response.certificate);
  const principal = certificateArnOf(ctx.endpoint, certificateId);
  ctx.ledger.acknowledge(certificateIntent, { id: certificateId, arn: principal });
  for (const ref of [
    { kind: 'policy-principal' as const, policyName, id: certificateId, principal },
    { kind: 'thing-principal' as const, thingName, id: certificateId, principal },
  ]) {
    ctx.ledger.acknowledge(ctx.ledger.intend({ ...ref, deviceIndex: device.index }));
  }
  return { ...response, certificate: response.certificate };
}

/**
 * SIM-identified devices with a Krypton-compatible bootstrap service: nothing at the factory;
 * in the field the device proves its SIM (cellular: the network knows it by its session
 * address; sim-auth: a 3GPP AKA challenge over the keys API, then CK-signed requests) and the
 * service creates keys, certificate, thing and policy attachment in AWS IoT with its own
 * credentials and returns them. The device then connects with what it received.
 */
/** The operator turns Krypton on for the run's SIM group, naming the target's endpoints. */
async function configureSimGroup(ctx: RunContext, shared: KryptonShared): Promise<void> {
  await ctx.phase('configure-sim-group', () =>
    operatorRequest(ctx.endpoint, 'PUT', `/_emulator/groups/${shared.group}/configuration/SoracomKrypton`, [
      { key: 'enabled', value: true },
      {
        key: 'AwsIot',
        value: {
          region: ctx.endpoint.region,
          policyName: shared.policyName,
          thingNamePattern: shared.thingNamePattern,
          host: ctx.endpoint.mqttHost ?? '',
          ...(ctx.endpoint.controlPlaneUrl ? { endpoint: ctx.endpoint.controlPlaneUrl } : {}),
        },
      },
    ]),
  );
}

const krypton: Scenario = {
  id: 'krypton',
  title: 'SIM identity with a Krypton-compatible bootstrap service',
  variants: VARIANTS,
  // The bootstrap service's own control-plane calls count against the account's quotas too.
  apiPlan: {
    perDevice: {
      'krypton:Bootstrap': 1,
      ...AWS_ISSUED_IDENTITY_CALLS,
      'mqtt:Connect': 1,
    },
    perRun: { CreatePolicy: 1 },
  },
  // The operator's SIM-group settings are Krypton's own API, not AWS's.
  iamPolicies: (scope) => ({
    operator: iamPolicy(createRunPolicies(scope)),
    // Krypton's service calls AWS IoT with the group's credentials; on a failure part-way it
    // undoes what it made (detach, deactivate, delete the certificate).
    bootstrap: iamPolicy(
      allow(['CreateKeysAndCertificate']),
      ...createAndAttachThing(scope),
      allow(['DetachThingPrincipal'], runResources(scope).things),
      allow(
        ['DescribeCertificate', 'DetachPolicy', 'UpdateCertificate', 'DeleteCertificate'],
        runResources(scope).certificates,
      ),
    ),
  }),
  usesSimFleet: true,
  facts: {
    factorySteps: [],
    caToOperate: false,
    cloudCompute: null,
    bootstrapApi: 'Krypton POST /v1/provisioning/aws/iot/bootstrap (operated by the mobile operator)',
    secretsAtManufacturing: [],
    rootOfIdentity: 'SIM (Ki/OPc in the USIM; the cellular session or an AKA challenge)',
  },

  async prepare(ctx) {
    kryptonUrlOf(ctx.endpoint);
    const policyName = await createPolicy(
      ctx,
      resourceName(ctx, 'device'),
      devicePolicyDocument(ctx.endpoint),
    );
    const shared: KryptonShared = {
      group: resourceName(ctx, 'sims'),
      thingNamePattern: kryptonThingNamePattern(ctx),
      policyName,
    };
    await configureSimGroup(ctx, shared);
    ctx.shared.krypton = shared;
  },

  async resume(ctx) {
    // The policy is still there; the operator's group settings name the target's endpoints,
    // which a restarted emulator serves on new ports: set them again.
    await configureSimGroup(ctx, sharedOf(ctx));
  },

  /** Not a factory step: the operator puts the SIM in the run's Krypton-enabled group. */
  async manufacture(device, ctx) {
    const { group } = sharedOf(ctx);
    await ctx.phase('operator-register-sim', () =>
      operatorRequest(ctx.endpoint, 'POST', '/_emulator/sims', [{ ...device.sim, group }]),
    );
  },

  async boot(device, ctx) {
    const baseUrl = kryptonUrlOf(ctx.endpoint);
    const variant = variantOf(ctx);
    let localAddress: string | undefined;
    if (variant === 'cellular') {
      const session = await ctx.phase('cellular-attach', () =>
        operatorRequest<{ address: string }>(
          ctx.endpoint,
          'POST',
          `/_emulator/sims/${encodeURIComponent(device.sim.imsi)}/attach`,
          {},
        ),
      );
      localAddress = session.address;
    }
    const client = new KryptonClient({
      baseUrl,
      ca: ctx.endpoint.rootCaPem,
      localAddress,
      keepAlive: true,
      timeoutMs: Math.min(ctx.options.timeoutMs, 30_000),
      link: ctx.link,
    });
    try {
      let key: SimKey | undefined;
      if (variant === 'sim-auth') {
        const card = new SimCard({ ...device.sim, group: device.sim.group });
        key = await ctx.phase('sim-authentication', () =>
          ctx.call('keys:Authenticate', () => rethrowTyped(() => client.authenticate(card))),
        );
      }
      const credentials = await bootstrap(device, ctx, client, key);
      await proveConnected(device, ctx, {
        clientId: credentials.clientId,
        certificatePem: credentials.certificate,
        privateKeyPem: credentials.privateKey,
        caPem: credentials.rootCaCertificate ?? ctx.endpoint.rootCaPem,
        localAddress,
      });
    } finally {
      client.close();
      if (localAddress) {
        await operatorRequest(
          ctx.endpoint,
          'POST',
          `/_emulator/sims/${encodeURIComponent(device.sim.imsi)}/detach`,
          {},
        ).catch(() => undefined);
      }
    }
  },

  async teardown() {
    // The policy and every device's certificate, thing and attachments are in the ledger.
  },
};

export default krypton;
