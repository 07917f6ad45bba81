import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import {
  Aedes,
  type AedesPublishPacket,
  type AuthenticateError,
  type Client,
  type ConnectPacket,
  type Subscription,
} from 'aedes';
import { KeyedRateLimiter, TokenBucket } from '../rate-limiter.js';
import { ConnectionAuthorizer, identityFor } from './authorizer.js';
import { announceLimitsOn, applyKeepAliveLimits, refuseForQuota } from './connack-properties.js';
import { type ConnectionState, Connections } from './connections.js';
import { FleetProvisioning, isFleetRequestTopic } from './fleet-provisioning.js';
import { judgeCertificate } from './identity.js';
import { type JitOutcome, JustInTimeRegistration } from './jit-registration.js';
import type { DataPlaneOptions, RejectionEvent } from './options.js';
import type { DataPlaneRegistry, LocalFunction } from './ports.js';
import {
  connectPropertiesViolation,
  exceedsClientMaximum,
  MAXIMUM_PACKET_BYTES,
  protocolViolationReason,
  publishViolation,
  RECEIVE_MAXIMUM,
  SESSION_EXPIRY_MAX_SECONDS,
  subscribeViolation,
  TOPIC_ALIAS_MAXIMUM,
} from './protocol-limits.js';
import type { QueuedMessages } from './queued-messages.js';
import type { RetainedMessages } from './retained-messages.js';
import { applyStoreQuotas } from './store-quotas.js';
import { type RuleInvocation, TopicRuleEngine, topicMatchesFilter } from './topic-rules.js';

export type { DataPlaneLimits, DataPlaneOptions, RejectionEvent } from './options.js';

/** ALPN protocol AWS IoT uses for MQTT with X.509 on port 443. */
export const MQTT_ALPN = 'x-amzn-mqtt-ca';

const ACCEPTED_SUFFIX = '/accepted';
/** AWS's event topics: devices may subscribe, never publish. */
const RESERVED_EVENT_PREFIX = '$aws/events/';
const REJECTED_SUFFIX = '/rejected';
const MQTT_5 = 5;
/** aedes's CONNACK "not authorized" return code; sent to MQTT 5 clients as reason code 0x87. */
const NOT_AUTHORIZED_RETURN_CODE = 5 as AuthenticateError['returnCode'];

/**
 * The client certificate's DER. Not `getPeerX509Certificate()`: on Node 20 every call leaves
 * about 10 KB of native memory behind for the life of the process (bench/emulator-memory.ts).
 */
function peerCertificateDer(socket: TLSSocket): Buffer | undefined {
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  return (socket.getPeerCertificate() as { raw?: Buffer }).raw;
}

function remoteAddress(client: Client): string | undefined {
  const address = (client.conn as TLSSocket).remoteAddress;
  return address?.replace(/^::ffff:/, '');
}

/**
 * The emulator's device gateway: MQTT 3.1.1 and 5 over mutual TLS (aedes), with AWS IoT's certificate
 * checks, policy authorization, JITR/JITP, fleet provisioning, presence events and topic rules.
 * Events: `rejected` (RejectionEvent), `jit` (JitOutcome), `rule` (RuleInvocation).
 */
export class DataPlane extends EventEmitter {
  readonly broker: Aedes;
  readonly server: Server;
  private readonly registry: DataPlaneRegistry;
  private readonly authorizer: ConnectionAuthorizer;
  private readonly jit: JustInTimeRegistration;
  private readonly fleet: FleetProvisioning;
  private readonly rules: TopicRuleEngine;
  private readonly functions = new Map<string, LocalFunction>();
  private readonly connections: Connections;
  readonly retained: RetainedMessages;
  readonly queued: QueuedMessages;
  /** MQTT 5 connects refused with CONNACK 0x87 (iot:Connect denied), answered in `authenticate`. */
  private readonly unauthorizedConnects = new WeakMap<Client, string>();
  private readonly accountConnects: TokenBucket | undefined;
  private readonly clientIdConnects: KeyedRateLimiter | undefined;
  private readonly unsubscribe: () => void;
  private readonly sockets = new Set<TLSSocket>();
  private boundPort = 0;
  private boundHost = '127.0.0.1';

  private constructor(options: DataPlaneOptions, broker: Aedes) {
    super();
    this.broker = broker;
    this.registry = options.registry;
    this.authorizer = new ConnectionAuthorizer(options.registry);
    for (const [name, fn] of Object.entries(options.localFunctions ?? {})) this.functions.set(name, fn);
    const limits = options.limits ?? {};
    const bucket = (rate: number | undefined) => (rate === undefined ? undefined : new TokenBucket(rate));
    this.accountConnects = bucket(limits.connectsPerSecond);
    this.clientIdConnects =
      limits.connectsPerSecondPerClientId === undefined
        ? undefined
        : new KeyedRateLimiter(limits.connectsPerSecondPerClientId);
    const publish = (topic: string, payload: Buffer) => this.publish(topic, payload);
    this.connections = new Connections(publish);
    ({ retained: this.retained, queued: this.queued } = applyStoreQuotas(broker, limits));
    this.jit = new JustInTimeRegistration({
      registry: options.registry,
      publish,
      registrationLimit: options.registrationLimit ?? bucket(limits.deviceCertificateRegistrationsPerSecond),
    });
    this.fleet = new FleetProvisioning({
      registry: options.registry,
      issuer: options.issuer,
      functions: this.functions,
      hookTimeoutMs: options.preProvisioningHookTimeoutMs,
      ownershipTokenTtlMs: options.ownershipTokenTtlMs,
      limits: {
        createKeys: bucket(limits.fleetCreateKeysAndCertificatePerSecond),
        createFromCsr: bucket(limits.fleetCreateCertificateFromCsrPerSecond),
        registerThing: bucket(limits.fleetRegisterThingPerSecond),
      },
    });
    this.rules = new TopicRuleEngine(
      () => options.registry.listTopicRules(),
      this.functions,
      publish,
      (invocation: RuleInvocation) => this.emit('rule', invocation),
    );
    this.installHooks();
    this.unsubscribe = options.registry.onChange((change) => this.connections.onRegistryChange(change));
    this.server = createServer(
      {
        cert: options.serverCertificateChainPem,
        key: options.serverPrivateKeyPem,
        requestCert: true,
        rejectUnauthorized: false,
        ALPNProtocols: [MQTT_ALPN, 'mqtt'],
      },
      (socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        announceLimitsOn(socket);
        this.broker.handle(socket);
      },
    );
    this.server.on('tlsClientError', () => undefined);
  }

  /** Starts the broker and its TLS listener (port 0 picks a free port). */
  static async start(options: DataPlaneOptions): Promise<DataPlane> {
    const broker = await Aedes.createBroker({
      connectTimeout: 30_000,
      sessionExpiryIntervalLimit: SESSION_EXPIRY_MAX_SECONDS,
      receiveMaximum: RECEIVE_MAXIMUM,
      topicAliasMaximum: TOPIC_ALIAS_MAXIMUM,
      maximumPacketSize: MAXIMUM_PACKET_BYTES,
    });
    const plane = new DataPlane(options, broker);
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      plane.server.once('error', reject);
      plane.server.listen(options.port ?? 0, host, () => {
        plane.server.off('error', reject);
        resolve();
      });
    });
    plane.boundHost = host;
    plane.boundPort = (plane.server.address() as AddressInfo).port;
    return plane;
  }

  get host(): string {
    return this.boundHost;
  }

  get port(): number {
    return this.boundPort;
  }

  /**
   * What the gateway holds for clients: open sockets, certificates with a live connection, and
   * client IDs whose presence-event version it remembers (AWS keeps counting per client ID).
   */
  retainedClientState(): { sockets: number; certificatesInUse: number; clientIdVersions: number } {
    return { sockets: this.sockets.size, ...this.connections.counts() };
  }

  /** Registers a local function (rule action or pre-provisioning hook target) by ARN or name. */
  registerLocalFunction(arnOrName: string, fn: LocalFunction): void {
    this.functions.set(arnOrName, fn);
  }

  /** Publishes as the service (events, rule republish); delivered to authorized subscribers. */
  publish(topic: string, payload: Buffer): void {
    this.broker.publish(
      { cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false },
      () => undefined,
    );
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.fleet.close();
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await serverClosed;
  }

  /**
   * A packet over AWS's limits (QoS 2, payload over 128 KB): no PUBACK or SUBACK; MQTT 5 clients
   * get a DISCONNECT with the reason code, then the connection closes (MQTT 3.1.1: closed at once).
   */
  private closeForViolation(
    client: Client,
    violation: { reason: string; reasonCode: number },
    callback: (error: Error) => void,
  ): void {
    this.emit('rejected', { clientId: client.id, reason: violation.reason } satisfies RejectionEvent);
    this.connections.markClosing(client, 'CLIENT_ERROR');
    const error = new Error(violation.reason);
    if (client.version === MQTT_5)
      client.disconnect({ reasonCode: violation.reasonCode }, () => callback(error));
    else callback(error);
  }

  private reject(client: Client, clientId: string, reason: string): Error {
    this.emit('rejected', { clientId, reason } satisfies RejectionEvent);
    client.conn.destroy();
    return new Error(reason);
  }

  private installHooks(): void {
    const broker = this.broker;
    broker.preConnect = (client, packet, callback) => {
      this.preConnect(client, packet).then(
        (ok) => callback(ok ? null : new Error('connection refused'), ok),
        (error: Error) => callback(error, false),
      );
    };
    broker.authenticate = (client, _username, _password, callback) => {
      const refusal = this.unauthorizedConnects.get(client);
      if (refusal === undefined) return callback(null, true);
      this.emit('rejected', { clientId: client.id, reason: refusal } satisfies RejectionEvent);
      const error: AuthenticateError = Object.assign(new Error('Not authorized'), {
        returnCode: NOT_AUTHORIZED_RETURN_CODE,
      });
      callback(error, false);
    };
    broker.authorizePublish = (client, packet, callback) => {
      if (client === null) return callback(null);
      const violation = publishViolation(packet);
      if (violation) return this.closeForViolation(client, violation, callback);
      const state = this.connections.get(client);
      const reserved = packet.topic.startsWith(RESERVED_EVENT_PREFIX);
      if (!state || reserved || !this.authorizer.allowed(state.identity, 'iot:Publish', packet.topic)) {
        // MQTT 3.1.1 closes the connection; MQTT 5 answers PUBACK 0x87 and keeps it (aedes does both).
        if (state && client.version !== MQTT_5) state.disconnectReason = 'AUTH_ERROR';
        this.emit('rejected', { clientId: client.id, reason: `iot:Publish denied on ${packet.topic}` });
        return callback(new Error(`iot:Publish denied on ${packet.topic}`));
      }
      const throttled = this.retained.throttled(packet);
      if (throttled) {
        this.emit('rejected', { clientId: client.id, reason: throttled } satisfies RejectionEvent);
        return refuseForQuota(client, packet, throttled, callback);
      }
      if (isFleetRequestTopic(packet.topic)) {
        void this.answerFleetRequest(client, state, packet.topic, Buffer.from(packet.payload));
      }
      callback(null);
    };
    broker.authorizeSubscribe = (client, subscription: Subscription, callback) => {
      const violation = subscribeViolation(subscription);
      if (violation) return this.closeForViolation(client, violation, callback);
      const state = this.connections.get(client);
      const allowed = state && this.authorizer.allowed(state.identity, 'iot:Subscribe', subscription.topic);
      if (!allowed)
        this.emit('rejected', {
          clientId: client.id,
          reason: `iot:Subscribe denied on ${subscription.topic}`,
        });
      callback(null, allowed ? subscription : null);
    };
    broker.authorizeForward = (client, packet: AedesPublishPacket) => {
      const state = this.connections.get(client);
      if (!state) return null;
      const declared = (client as Client & { maximumPacketSize?: number }).maximumPacketSize;
      if (exceedsClientMaximum(declared, packet)) return null;
      return this.authorizer.allowed(state.identity, 'iot:Receive', packet.topic) ? packet : null;
    };
    broker.on('clientReady', (client) => this.connections.onReady(client));
    broker.on('clientDisconnect', (client) => this.connections.onDisconnect(client));
    // aedes answers an invalid topic alias (DISCONNECT 0x94) and a packet over Maximum Packet Size
    // (0x95) itself; the gateway records why the client goes.
    broker.on('clientError', (client, error) => {
      const reason = protocolViolationReason(error);
      if (reason === undefined) return;
      this.connections.markClosing(client, 'CLIENT_ERROR');
      this.emit('rejected', { clientId: client.id, reason } satisfies RejectionEvent);
    });
    broker.on('keepaliveTimeout', (client) =>
      this.connections.markClosing(client, 'MQTT_KEEP_ALIVE_TIMEOUT'),
    );
    broker.on('publish', (packet, client) => {
      if (packet.topic.startsWith('$SYS/')) return;
      if (client && isFleetRequestTopic(packet.topic)) return;
      this.rules.handle(packet.topic, Buffer.from(packet.payload));
    });
  }

  private async preConnect(client: Client, packet: ConnectPacket): Promise<boolean> {
    const clientId = packet.clientId ?? '';
    const socket = client.conn as TLSSocket;
    if (this.accountConnects && !this.accountConnects.tryTake()) {
      throw this.reject(
        client,
        clientId,
        'account connect rate exceeded (Connect requests per second per account)',
      );
    }
    if (this.clientIdConnects && !this.clientIdConnects.tryTake(clientId)) {
      throw this.reject(client, clientId, `connect rate for client ID ${clientId} exceeded (1 per second)`);
    }
    const propertiesViolation = connectPropertiesViolation(packet.properties);
    if (propertiesViolation) throw this.reject(client, clientId, propertiesViolation);
    const verdict = judgeCertificate(peerCertificateDer(socket), this.registry);
    const sourceIp = remoteAddress(client);
    if (verdict.kind === 'auto-register' || verdict.kind === 'pending') {
      let outcome: JitOutcome | undefined;
      try {
        outcome = await this.jit.handle(verdict, sourceIp);
      } catch (error) {
        throw this.reject(client, clientId, `just-in-time registration failed: ${(error as Error).message}`);
      }
      if (outcome) this.emit('jit', outcome);
      throw this.reject(
        client,
        clientId,
        `certificate is being registered just in time (${outcome?.kind ?? 'pending'}); reconnect once it is ACTIVE`,
      );
    }
    if (verdict.kind === 'reject') throw this.reject(client, clientId, verdict.reason);
    const identity = identityFor(verdict.certificate, verdict.x509, clientId, sourceIp);
    if (!this.authorizer.allowed(identity, 'iot:Connect', clientId)) {
      const reason = `iot:Connect denied for client ID ${clientId}`;
      if (packet.protocolVersion !== MQTT_5) throw this.reject(client, clientId, reason);
      this.unauthorizedConnects.set(client, reason);
      return true;
    }
    applyKeepAliveLimits(client, packet);
    const existing = (this.broker as unknown as { clients: Record<string, Client> }).clients[clientId];
    if (existing) this.connections.markClosing(existing, 'DUPLICATE_CLIENTID');
    this.connections.open(client, clientId, identity, randomUUID());
    return true;
  }

  private async answerFleetRequest(
    client: Client,
    state: ConnectionState,
    topic: string,
    payload: Buffer,
  ): Promise<void> {
    const answer = await this.fleet.handle(topic, payload, {
      clientId: client.id,
      certificateId: state.identity.certificate.certificateId,
    });
    const responseTopic = `${topic}${answer.accepted ? ACCEPTED_SUFFIX : REJECTED_SUFFIX}`;
    const subscribed = Object.keys(
      (client as unknown as { subscriptions: Record<string, unknown> }).subscriptions ?? {},
    ).some((filter) => topicMatchesFilter(filter, responseTopic));
    if (!subscribed || client.closed) return;
    client.publish(
      {
        cmd: 'publish',
        topic: responseTopic,
        payload: Buffer.from(JSON.stringify(answer.body)),
        qos: 0,
        retain: false,
        dup: false,
      },
      () => undefined,
    );
  }
}
