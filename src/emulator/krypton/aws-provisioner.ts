import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  IoTClient,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import type { InProcessRequestHandler } from '../control-plane/in-process-handler.js';
import type { AwsIotConfig } from './group-config.js';

export interface ProvisionedThing {
  thingName: string;
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  privateKeyPem: string;
}

/** A certificate that a failed bootstrap created and could not delete: kept for `provbench cleanup`. */
export interface OrphanRecord {
  certificateId: string;
  certificateArn: string;
  thingName: string;
  policyName: string;
  reason: string;
  at: string;
}

export class AwsIotStepError extends Error {
  override readonly name = 'AwsIotStepError';

  constructor(
    message: string,
    readonly step: string,
    readonly awsErrorName: string,
    readonly httpStatus: number | undefined,
  ) {
    super(message);
  }
}

export interface ProvisionerDefaults {
  /** Control-plane URL used when a group's AwsIot config names none (the embedded emulator). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK attempts per call (the SDK default is 3; AWS throttling is retried within them). */
  maxAttempts?: number;
  /** A policy created on first use when a bootstrap attaches it (the emulator's default group). */
  ensurePolicy?: { policyName: string; policyDocument: string };
  /**
   * The control plane co-hosted in this process: clients for exactly this endpoint hand their
   * signed requests to its request handler instead of a loopback socket. Other endpoints use HTTP.
   */
  coHosted?: { endpoint: string; requestHandler: InProcessRequestHandler };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * Creates what a Krypton bootstrap gives a device, in the customer's AWS IoT, with the group's
 * credentials: CreateKeysAndCertificate (active), CreateThing, AttachPolicy, AttachThingPrincipal.
 * A failure after the certificate exists undoes the attachments and deletes the certificate; if
 * that fails too, the certificate is recorded in `orphans`.
 */
export class AwsIotProvisioner {
  private readonly clients = new Map<string, IoTClient>();
  readonly orphans: OrphanRecord[] = [];
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly defaults: ProvisionerDefaults = {}) {}

  /**
   * Two round trips: the certificate and the Thing are created side by side, then the policy and
   * the Thing are attached side by side (neither attachment depends on the other).
   */
  async provision(config: AwsIotConfig, thingName: string): Promise<ProvisionedThing> {
    const iot = this.clientFor(config);
    if (this.defaults.ensurePolicy?.policyName === config.policyName)
      await this.ensurePolicy(iot, this.defaults.ensurePolicy);
    const [createdResult, thingResult] = await Promise.allSettled([
      this.step('CreateKeysAndCertificate', () =>
        iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
      ),
      this.step('CreateThing', () => this.createThing(iot, thingName)),
    ]);
    // A Thing without principals is not an orphan: the next bootstrap of this SIM reuses it.
    if (createdResult.status === 'rejected') throw createdResult.reason;
    const created = createdResult.value;
    const certificateArn = created.certificateArn!;
    const certificateId = created.certificateId!;
    const undo: Array<() => Promise<unknown>> = [];
    try {
      if (thingResult.status === 'rejected') throw thingResult.reason;
      const [policyResult, principalResult] = await Promise.allSettled([
        this.step('AttachPolicy', () =>
          iot.send(new AttachPolicyCommand({ policyName: config.policyName, target: certificateArn })),
        ),
        this.step('AttachThingPrincipal', () =>
          iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn })),
        ),
      ]);
      if (policyResult.status === 'fulfilled') {
        undo.push(() =>
          iot.send(new DetachPolicyCommand({ policyName: config.policyName, target: certificateArn })),
        );
      }
      if (principalResult.status === 'fulfilled') {
        undo.push(() => iot.send(new DetachThingPrincipalCommand({ thingName, principal: certificateArn })));
      }
      if (policyResult.status === 'rejected') throw policyResult.reason;
      if (principalResult.status === 'rejected') throw principalResult.reason;
    } catch (error) {
      await this.rollBack(
        iot,
        undo,
        { certificateId, certificateArn, thingName, policyName: config.policyName },
        error,
      );
      throw error;
    }
    return {
      thingName,
      certificateId,
      certificateArn,
      certificatePem: created.certificatePem!,
      privateKeyPem: created.keyPair!.PrivateKey!,
    };
  }

  /** DescribeCertificate: the PEM of a certificate the service issued earlier. */
  async certificatePem(config: AwsIotConfig, certificateId: string): Promise<string> {
    const iot = this.clientFor(config);
    const described = await this.step('DescribeCertificate', () =>
      iot.send(new DescribeCertificateCommand({ certificateId })),
    );
    return described.certificateDescription!.certificatePem!;
  }

  private readonly ensuredPolicies = new Map<string, Promise<void>>();

  private ensurePolicy(
    iot: IoTClient,
    policy: { policyName: string; policyDocument: string },
  ): Promise<void> {
    const key = `${iot.config.region}:${policy.policyName}`;
    let ensured = this.ensuredPolicies.get(key);
    if (!ensured) {
      ensured = this.step('CreatePolicy', async () => {
        try {
          await iot.send(new CreatePolicyCommand(policy));
        } catch (error) {
          if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
        }
      });
      ensured.catch(() => this.ensuredPolicies.delete(key));
      this.ensuredPolicies.set(key, ensured);
    }
    return ensured;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** CreateThing is idempotent in AWS for the same attributes; a second bootstrap reuses the Thing. */
  private async createThing(iot: IoTClient, thingName: string): Promise<void> {
    try {
      await iot.send(new CreateThingCommand({ thingName }));
    } catch (error) {
      if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
    }
  }

  private async step<T>(step: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new AwsIotStepError(
        `${step} failed: ${errorName(error)}: ${(error as Error).message}`,
        step,
        errorName(error),
        httpStatusOf(error),
      );
    }
  }

  private async rollBack(
    iot: IoTClient,
    undo: Array<() => Promise<unknown>>,
    created: Omit<OrphanRecord, 'reason' | 'at'>,
    cause: unknown,
  ): Promise<void> {
    try {
      for (const action of undo.reverse()) await action();
      await iot.send(
        new UpdateCertificateCommand({ certificateId: created.certificateId, newStatus: 'INACTIVE' }),
      );
      await iot.send(
        new DeleteCertificateCommand({ certificateId: created.certificateId, forceDelete: true }),
      );
    } catch (rollbackError) {
      this.orphans.push({
        ...created,
        reason: `${(cause as Error).message}; rollback failed: ${errorName(rollbackError)}: ${(rollbackError as Error).message}`,
        at: new Date().toISOString(),
      });
    }
  }

  private requestHandlerFor(endpoint: string | undefined) {
    const coHosted = this.defaults.coHosted;
    if (coHosted && endpoint === coHosted.endpoint) return coHosted.requestHandler;
    return { httpAgent: this.httpAgent, httpsAgent: this.httpsAgent };
  }

  private clientFor(config: AwsIotConfig): IoTClient {
    const endpoint = config.endpoint ?? this.defaults.endpoint;
    const credentials = config.credentials ?? this.defaults.credentials;
    const cacheKey = JSON.stringify([
      config.region,
      endpoint,
      credentials?.accessKeyId,
      credentials?.secretAccessKey,
    ]);
    let client = this.clients.get(cacheKey);
    if (!client) {
      client = new IoTClient({
        region: config.region,
        ...(endpoint ? { endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        maxAttempts: this.defaults.maxAttempts ?? 3,
        requestHandler: this.requestHandlerFor(endpoint),
        // One resolved middleware stack per command class instead of one per call.
        cacheMiddleware: true,
      });
      this.clients.set(cacheKey, client);
    }
    return client;
  }
}
