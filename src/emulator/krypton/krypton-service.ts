import type { SimRecord } from '../../sim/sim-record.js';
import { AwsIotProvisioner, AwsIotStepError, type ProvisionerDefaults } from './aws-provisioner.js';
import { CellularNetwork, type CellularSession } from './cellular-network.js';
import { KryptonError } from './errors.js';
import { type AwsIotConfig, type KryptonGroupConfig, mergeGroupConfig } from './group-config.js';
import { SignedRequestVerifier } from './signed-request.js';
import { SimKeyStore, type SimKeyStoreOptions } from './sim-keys.js';
import { type Subscriber, SubscriberRegistry } from './subscribers.js';

/** How the service knows which SIM is asking. */
export type KryptonCaller =
  | { via: 'cellular'; imsi: string; session: CellularSession }
  | { via: 'sim-authentication'; imsi: string; keyId: string };

export interface BootstrapParameters {
  thingName?: string;
  skipCertificates?: boolean;
}

/** `POST /v1/provisioning/aws/iot/bootstrap` response (SORACOM's BootstrapAwsIotThingResult, plus ids). */
export interface BootstrapResult {
  region: string;
  host: string;
  clientId: string;
  thingName: string;
  certificateId: string;
  privateKey: string;
  certificate?: string;
  rootCaCertificate?: string;
}

interface IssuedCertificate {
  imsi: string;
  thingName: string;
  certificateArn: string;
  /** Kept only for skipCertificates bootstraps, whose device fetches it next; others ask AWS IoT. */
  certificatePem?: string;
  awsIot: AwsIotConfig;
}

export interface KryptonServiceOptions {
  /** The emulator's CA bundle: `rootCaCertificate` unless a group names its own. */
  rootCaPem: string;
  /** Configuration per SIM group. */
  groups?: Record<string, KryptonGroupConfig>;
  sims?: readonly SimRecord[];
  provisioner?: ProvisionerDefaults;
  keys?: SimKeyStoreOptions;
  now?: () => number;
}

const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

/** The operator side of Krypton: SIMs, the cellular network, SIM keys, group configuration, bootstrap. */
export class KryptonService {
  readonly subscribers = new SubscriberRegistry();
  readonly network = new CellularNetwork();
  readonly keys: SimKeyStore;
  readonly signatures: SignedRequestVerifier;
  readonly provisioner: AwsIotProvisioner;
  private readonly groups = new Map<string, KryptonGroupConfig>();
  private readonly certificates = new Map<string, IssuedCertificate>();
  private readonly certificatesByImsi = new Map<string, string[]>();
  private readonly rootCaPem: string;
  bootstrapCount = 0;

  constructor(options: KryptonServiceOptions) {
    this.rootCaPem = options.rootCaPem;
    this.keys = new SimKeyStore(this.subscribers, { now: options.now, ...options.keys });
    this.signatures = new SignedRequestVerifier(this.keys, options.now);
    this.provisioner = new AwsIotProvisioner(options.provisioner);
    for (const [name, config] of Object.entries(options.groups ?? {})) this.configureGroup(name, config);
    if (options.sims) this.subscribers.upsert(options.sims);
  }

  configureGroup(group: string, update: unknown): KryptonGroupConfig {
    const merged = mergeGroupConfig(this.groups.get(group), update);
    this.groups.set(group, merged);
    return merged;
  }

  groupConfig(group: string): KryptonGroupConfig | undefined {
    return this.groups.get(group);
  }

  subscriber(imsi: string): Subscriber {
    return this.subscribers.known(imsi);
  }

  /** The group's Krypton configuration, or 403 when Krypton is off for the SIM's group. */
  kryptonConfigFor(imsi: string): KryptonGroupConfig {
    const { group } = this.subscriber(imsi).sim;
    const config = this.groups.get(group);
    if (!config?.enabled) {
      throw new KryptonError(
        403,
        'KRYPTON_NOT_ENABLED',
        `SORACOM Krypton is not enabled for group ${group}; enable it in the group's SoracomKrypton configuration`,
      );
    }
    return config;
  }

  private awsIotConfigFor(imsi: string): AwsIotConfig {
    const config = this.kryptonConfigFor(imsi);
    if (!config.awsIot) {
      const { group } = this.subscriber(imsi).sim;
      throw new KryptonError(
        403,
        'AWS_IOT_NOT_CONFIGURED',
        `group ${group} has no AwsIot configuration; set region, policyName, thingNamePattern and host`,
      );
    }
    return config.awsIot;
  }

  /**
   * Bootstrap: a new key pair and certificate on every call. A second bootstrap from the same SIM
   * reuses the Thing and adds one more active certificate to it; earlier ones stay as they were.
   */
  async bootstrap(imsi: string, parameters: BootstrapParameters): Promise<BootstrapResult> {
    const awsIot = this.awsIotConfigFor(imsi);
    const thingName = parameters.thingName ?? awsIot.thingNamePattern.replaceAll('$imsi', imsi);
    if (!THING_NAME.test(thingName)) {
      throw new KryptonError(
        400,
        'INVALID_THING_NAME',
        `thing name "${thingName}" must be 1-128 characters of [a-zA-Z0-9:_-]`,
      );
    }
    let provisioned: Awaited<ReturnType<AwsIotProvisioner['provision']>>;
    try {
      provisioned = await this.provisioner.provision(awsIot, thingName);
    } catch (error) {
      if (error instanceof AwsIotStepError) throw awsFailure(error);
      throw error;
    }
    this.bootstrapCount++;
    this.certificates.set(provisioned.certificateId, {
      imsi,
      thingName,
      certificateArn: provisioned.certificateArn,
      ...(parameters.skipCertificates ? { certificatePem: provisioned.certificatePem } : {}),
      awsIot,
    });
    const issued = this.certificatesByImsi.get(imsi) ?? [];
    issued.push(provisioned.certificateId);
    this.certificatesByImsi.set(imsi, issued);
    const result: BootstrapResult = {
      region: awsIot.region,
      host: awsIot.host,
      clientId: thingName,
      thingName,
      certificateId: provisioned.certificateId,
      privateKey: provisioned.privateKeyPem,
    };
    if (!parameters.skipCertificates) {
      result.certificate = provisioned.certificatePem;
      result.rootCaCertificate = awsIot.rootCaCertificate ?? this.rootCaPem;
    }
    return result;
  }

  /** `/certificates/{id}`: only the SIM the certificate was issued to may fetch it. */
  async certificateFor(imsi: string, certificateId: string): Promise<string> {
    this.kryptonConfigFor(imsi);
    const issued = this.certificates.get(certificateId);
    if (!issued || issued.imsi !== imsi) {
      throw new KryptonError(
        404,
        'CERTIFICATE_NOT_FOUND',
        `no certificate ${certificateId} was issued to this SIM; bootstrap first`,
      );
    }
    if (issued.certificatePem) return issued.certificatePem;
    try {
      return await this.provisioner.certificatePem(issued.awsIot, certificateId);
    } catch (error) {
      if (error instanceof AwsIotStepError) throw awsFailure(error);
      throw error;
    }
  }

  rootCaFor(imsi: string): string {
    const config = this.kryptonConfigFor(imsi);
    return config.awsIot?.rootCaCertificate ?? this.rootCaPem;
  }

  certificatesOf(imsi: string): Array<{ certificateId: string; certificateArn: string; thingName: string }> {
    return (this.certificatesByImsi.get(imsi) ?? []).map((certificateId) => {
      const issued = this.certificates.get(certificateId)!;
      return { certificateId, certificateArn: issued.certificateArn, thingName: issued.thingName };
    });
  }

  close(): void {
    this.provisioner.destroy();
  }
}

/** AWS errors become 4xx/5xx `{code, message}` for the device; throttling stays distinguishable. */
function awsFailure(error: AwsIotStepError): KryptonError {
  const status = error.awsErrorName === 'ThrottlingException' ? 429 : 502;
  return new KryptonError(
    status,
    'AWS_IOT_ERROR',
    `AWS IoT refused the call: ${error.message}; retry later (a partly done bootstrap has been rolled back)`,
  );
}
