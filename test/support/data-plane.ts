import 'reflect-metadata';
import mqtt, { type MqttClient } from 'mqtt';
import {
  certificateIssuerFor,
  DataPlane,
  type DataPlaneLimits,
  dataPlaneRegistryFor,
  MQTT_ALPN,
} from '../../src/emulator/data-plane/index.js';
import type { LocalFunction } from '../../src/emulator/data-plane/ports.js';
import { IotRegistry } from '../../src/emulator/registry/index.js';
import {
  createCertificateAuthority,
  EmulatorPki,
  generateKeyPairPem,
  issueCertificate,
  parseCertificatePem,
  type SignerIdentity,
  signerFrom,
} from '../../src/pki/index.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const ARN = `arn:aws:iot:${REGION}:${ACCOUNT}`;

/** A policy allowing a device its own client ID and everything under things/<clientId>/. */
export const devicePolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: `${ARN}:client/\${iot:Connection.Thing.ThingName}` },
    {
      Effect: 'Allow',
      Action: ['iot:Publish', 'iot:Receive'],
      Resource: `${ARN}:topic/things/\${iot:Connection.Thing.ThingName}/*`,
    },
    {
      Effect: 'Allow',
      Action: 'iot:Subscribe',
      Resource: `${ARN}:topicfilter/things/\${iot:Connection.Thing.ThingName}/*`,
    },
  ],
});

export const allowAllPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }],
});

export interface Device {
  clientId: string;
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  privateKeyPem: string;
}

/** A running data plane over a real registry and PKI (EC keys for speed). */
export class Harness {
  private constructor(
    readonly pki: EmulatorPki,
    readonly registry: IotRegistry,
    readonly plane: DataPlane,
  ) {}

  static async start(
    options: {
      limits?: DataPlaneLimits;
      functions?: Record<string, LocalFunction>;
      hookTimeoutMs?: number;
      ownershipTokenTtlMs?: number;
    } = {},
  ): Promise<Harness> {
    const pki = await EmulatorPki.open({ keyPoolSize: 0, deviceKeyAlgorithm: 'ec-p256' });
    const registry = new IotRegistry({ region: REGION, accountId: ACCOUNT });
    const server = await pki.issueServerCertificate([
      '127.0.0.1',
      'localhost',
      registry.endpointAddress('iot:Data-ATS'),
    ]);
    const plane = await DataPlane.start({
      registry: dataPlaneRegistryFor(registry, pki),
      issuer: certificateIssuerFor(pki),
      serverCertificateChainPem: server.chainPem,
      serverPrivateKeyPem: server.privateKeyPem,
      limits: options.limits,
      localFunctions: options.functions,
      preProvisioningHookTimeoutMs: options.hookTimeoutMs,
      ownershipTokenTtlMs: options.ownershipTokenTtlMs,
    });
    return new Harness(pki, registry, plane);
  }

  async close(): Promise<void> {
    await this.plane.close();
    await this.pki.close();
  }

  /** An AWS-issued certificate, optionally ACTIVE, with a thing named clientId and a policy. */
  async device(
    clientId: string,
    options: { policy?: string | null; status?: 'ACTIVE' | 'INACTIVE'; thing?: boolean } = {},
  ): Promise<Device> {
    const issued = await this.pki.createKeysAndCertificate();
    const record = this.registry.addCertificate({
      certificate: issued.certificate,
      status: options.status ?? 'ACTIVE',
      origin: 'keys-and-certificate',
    });
    if (options.policy !== null) {
      const policyName = `p-${record.certificateId.slice(0, 12)}`;
      this.registry.createPolicy(policyName, options.policy ?? devicePolicy);
      this.registry.attachPolicy(policyName, record.certificateArn);
    }
    if (options.thing !== false) {
      this.registry.createThing({ thingName: clientId });
      this.registry.attachThingPrincipal(clientId, record.certificateArn);
    }
    return {
      clientId,
      certificateId: record.certificateId,
      certificateArn: record.certificateArn,
      certificatePem: issued.certificate.pem,
      privateKeyPem: issued.keyPair.privateKeyPem,
    };
  }

  /** A customer CA registered in the account. */
  async customerCa(
    subject: string,
    options: { autoRegistration?: boolean; templateBody?: string; active?: boolean } = {},
  ): Promise<{ signer: SignerIdentity; caCertificateId: string; pem: string }> {
    const material = await createCertificateAuthority({ subject, algorithm: 'ec-p256' });
    const signer = await signerFrom({
      certificatePem: material.certificate.pem,
      privateKeyPem: material.keyPair.privateKeyPem,
    });
    const record = this.registry.addCaCertificate({
      certificate: material.certificate,
      status: options.active === false ? 'INACTIVE' : 'ACTIVE',
      autoRegistrationStatus: options.autoRegistration === false ? 'DISABLE' : 'ENABLE',
      registrationConfig: options.templateBody
        ? { templateBody: options.templateBody, roleArn: `${ARN}:role/jitp` }
        : {},
      certificateMode: 'DEFAULT',
    });
    return { signer, caCertificateId: record.certificateId, pem: material.certificate.pem };
  }

  url(): string {
    return `mqtts://127.0.0.1:${this.plane.port}`;
  }

  get caPem(): string {
    return this.pki.bundlePem;
  }
}

/** A device certificate signed by a customer CA (not registered in the account). */
export async function deviceCertificateFrom(
  ca: SignerIdentity,
  subject: string,
): Promise<{ certificatePem: string; privateKeyPem: string; certificateId: string }> {
  const keys = await generateKeyPairPem('ec-p256');
  const certificate = await issueCertificate({
    subject,
    publicKey: keys.publicKeyPem,
    issuer: ca,
    notAfter: new Date(Date.now() + 86_400_000),
    clientAuth: true,
  });
  return {
    certificatePem: certificate.pem,
    privateKeyPem: keys.privateKeyPem,
    certificateId: parseCertificatePem(certificate.pem).certificateId,
  };
}

/** Where MQTT test clients connect: the broker URL and the CA bundle its certificate chains to. */
export interface MqttTarget {
  url(): string;
  readonly caPem: string;
}

/** A refused connect: why, and the CONNACK reason code when the server sent one (MQTT 5). */
export type ConnectResult =
  | { connected: true; client: MqttClient }
  | { connected: false; error: string; reasonCode?: number };

/** Connects MQTT.js with a device certificate; resolves with the client or why it failed. */
export function connectDevice(
  harness: MqttTarget,
  credentials: { clientId: string; certificatePem: string; privateKeyPem: string; chainPem?: string },
  options: { alpn?: boolean; servername?: string; protocolVersion?: 4 | 5 } = {},
): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const client = mqtt.connect(harness.url(), {
      clientId: credentials.clientId,
      key: credentials.privateKeyPem,
      cert: credentials.chainPem
        ? `${credentials.certificatePem}${credentials.chainPem}`
        : credentials.certificatePem,
      ca: harness.caPem,
      rejectUnauthorized: true,
      servername: options.servername ?? 'localhost',
      ALPNProtocols: options.alpn ? [MQTT_ALPN] : undefined,
      protocolVersion: options.protocolVersion ?? 4,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      clean: true,
    });
    let settled = false;
    const settle = (result: ConnectResult) => {
      if (settled) return;
      settled = true;
      if (!result.connected) client.end(true);
      resolve(result);
    };
    client.once('connect', () => settle({ connected: true, client }));
    client.once('error', (error) => {
      const code = (error as { code?: unknown }).code;
      settle({
        connected: false,
        error: error.message,
        reasonCode: typeof code === 'number' ? code : undefined,
      });
    });
    client.once('close', () => settle({ connected: false, error: 'closed before CONNACK' }));
  });
}

export async function mustConnect(
  harness: MqttTarget,
  credentials: Parameters<typeof connectDevice>[1],
  options: Parameters<typeof connectDevice>[2] = {},
): Promise<MqttClient> {
  const result = await connectDevice(harness, credentials, options);
  if (!result.connected) throw new Error(`expected ${credentials.clientId} to connect: ${result.error}`);
  return result.client;
}

/** Resolves with the next message on a topic (or undefined after `ms`). */
export function nextMessage(client: MqttClient, topic: string, ms = 3_000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      resolve(undefined);
    }, ms);
    const onMessage = (received: string, payload: Buffer) => {
      if (received !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(payload);
    };
    client.on('message', onMessage);
  });
}

/** Resolves when the client's connection closes. */
export function closed(client: MqttClient, ms = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    if (!client.connected && client.disconnected) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
