import { setTimeout as sleep } from 'node:timers/promises';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DescribeCertificateCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { describeError, ProtocolError, type RunContext } from '../../src/contract/index.js';
import { parseCertificatePem } from '../../src/pki/certificate.js';
import { createPolicy } from './attach.js';
import { activatorPolicyDocument } from './device-policy.js';
import { mqttOptions } from './field.js';
import { DeviceMqttConnection, type DeviceMqttOptions } from './mqtt-device.js';
import { resourceName } from './names.js';

/** `$aws/events/certificates/registered/<caCertificateId>` payload fields the activator reads. */
interface RegistrationEvent {
  certificateId?: unknown;
  caCertificateId?: unknown;
  certificateStatus?: unknown;
}

export interface ActivatorStats {
  events: number;
  activated: number;
  failed: number;
}

/**
 * Plays the JITR Lambda: a privileged MQTT subscriber on the CA's registration events that,
 * per new certificate, creates the thing named by the certificate CN, attaches the device
 * policy and the thing, then activates the certificate (activating last, so the device's
 * next connect finds everything in place). Runs in the main thread from prepare to teardown.
 */
export class JitrActivator {
  private readonly inFlight = new Map<string, Promise<void>>();
  readonly stats: ActivatorStats = { events: 0, activated: 0, failed: 0 };

  private connection: DeviceMqttConnection | undefined;
  private stopping = false;

  private constructor(
    private readonly ctx: RunContext,
    private readonly subscriber: { options: DeviceMqttOptions; topic: string },
    private readonly policyName: string,
  ) {}

  static async start(
    ctx: RunContext,
    caCertificateId: string,
    devicePolicyName: string,
    /** A resumed run: the activator's policy from the first start still exists; only new credentials are made. */
    resumed: { policyExists?: boolean } = {},
  ): Promise<JitrActivator> {
    const clientId = resourceName(ctx, 'activator');
    const policyName = resumed.policyExists
      ? resourceName(ctx, 'activator')
      : await createPolicy(
          ctx,
          resourceName(ctx, 'activator'),
          activatorPolicyDocument(ctx.endpoint, caCertificateId, clientId),
        );
    const credentials = await ctx.phase('activator-credentials', () =>
      ctx.ledger.track(
        { kind: 'certificate' },
        () => ctx.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
        (out) => ({ id: out.certificateId, arn: out.certificateArn }),
      ),
    );
    if (!credentials.certificateArn || !credentials.certificatePem || !credentials.keyPair?.PrivateKey) {
      throw new ProtocolError('CreateKeysAndCertificate returned no certificate for the activator');
    }
    const certificateArn = credentials.certificateArn;
    await ctx.phase('activator-attach-policy', () =>
      ctx.ledger.track({ kind: 'policy-principal', policyName, principal: certificateArn }, () =>
        ctx.iot.send(new AttachPolicyCommand({ policyName, target: certificateArn })),
      ),
    );
    const options = mqttOptions(ctx, {
      clientId,
      certificatePem: credentials.certificatePem,
      privateKeyPem: credentials.keyPair.PrivateKey,
    });
    const activator = new JitrActivator(
      ctx,
      { options, topic: `$aws/events/certificates/registered/${caCertificateId}` },
      devicePolicyName,
    );
    await ctx.phase('activator-connect', () => activator.subscribe());
    return activator;
  }

  /** Connects and subscribes; if the connection drops before stop(), does it again. */
  private async subscribe(): Promise<void> {
    const connection = await DeviceMqttConnection.open(this.subscriber.options);
    // Each event is one rule-triggered Lambda invocation on AWS: counted as `lambda:Invoke`
    // (one attempt, never retried) so the run can price it.
    connection.onMessage((_topic, payload) => {
      this.ctx
        .call('lambda:Invoke', async () => this.onEvent(payload), { maxAttempts: 1 })
        .catch(() => undefined);
    });
    await connection.subscribe([this.subscriber.topic]);
    this.connection = connection;
    void connection.closed.then(() => this.resubscribe());
  }

  private async resubscribe(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      this.ctx.log.warn('JITR activator: connection lost; reconnecting', { attempt });
      await sleep(Math.min(1_000 * attempt, 10_000));
      if (this.stopping) return;
      try {
        await this.subscribe();
        return;
      } catch (error) {
        this.ctx.log.warn('JITR activator: reconnect failed', { error: describeError(error) });
      }
    }
  }

  private onEvent(payload: Buffer): void {
    this.stats.events++;
    let event: RegistrationEvent;
    try {
      event = JSON.parse(payload.toString('utf8')) as RegistrationEvent;
    } catch {
      this.ctx.log.warn('JITR activator: registration event is not JSON; ignored');
      return;
    }
    const certificateId = event.certificateId;
    if (typeof certificateId !== 'string' || event.certificateStatus !== 'PENDING_ACTIVATION') return;
    // AWS republishes the event on every retry while the certificate is pending: handle once.
    if (this.inFlight.has(certificateId)) return;
    // Timed as phase `prepare:activator` (the activator lives in prepare's context).
    const work = this.ctx
      .phase('activator', () => this.activate(certificateId))
      .then(
        () => {
          this.stats.activated++;
        },
        (error: unknown) => {
          this.stats.failed++;
          // Let a later event (the device retrying) try again.
          this.inFlight.delete(certificateId);
          this.ctx.log.warn('JITR activator: activation failed', {
            certificateId,
            error: describeError(error),
          });
        },
      );
    this.inFlight.set(certificateId, work);
  }

  private async activate(certificateId: string): Promise<void> {
    // The device recorded its certificate before connecting; the rest is made here, with the
    // activator's own credentials (the Lambda's role on AWS).
    const iot = this.ctx.iotAs('activator');
    const { ledger } = this.ctx;
    const described = await iot.send(new DescribeCertificateCommand({ certificateId }));
    const description = described.certificateDescription;
    if (!description?.certificateArn || !description.certificatePem) {
      throw new ProtocolError(`DescribeCertificate ${certificateId} returned no ARN or PEM`);
    }
    const certificateArn = description.certificateArn;
    const thingName = parseCertificatePem(description.certificatePem).subject.CN;
    if (!thingName)
      throw new ProtocolError(`certificate ${certificateId} has no subject CN to name the thing after`);
    await ledger.track({ kind: 'thing', name: thingName }, () =>
      iot.send(new CreateThingCommand({ thingName })),
    );
    await ledger.track(
      { kind: 'policy-principal', policyName: this.policyName, principal: certificateArn },
      () => iot.send(new AttachPolicyCommand({ policyName: this.policyName, target: certificateArn })),
    );
    await ledger.track({ kind: 'thing-principal', thingName, principal: certificateArn }, () =>
      iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn })),
    );
    await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'ACTIVE' }));
  }

  /** Waits for activations in progress, then disconnects. */
  async stop(): Promise<ActivatorStats> {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight.values()]);
    await this.connection?.end();
    return this.stats;
  }
}
