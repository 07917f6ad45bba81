import type { TLSSocket } from 'node:tls';
import { type IClientOptions, MqttClient, type Packet } from 'mqtt';
import { ClassifiedError, type FieldLink, isNetworkUnreachable } from '../../src/contract/index.js';
import { WIRED_LINK } from '../../src/network/field-link.js';
import { checkServerNameOnLeafOnly } from '../../src/tls/leaf-name-check.js';

/** Where and how a device reaches the AWS IoT data plane, with its own credentials. */
export interface DeviceMqttOptions {
  host: string;
  port: number;
  /** SNI; AWS requires the full endpoint host. Defaults to `host` when it is a name. */
  servername?: string;
  clientId: string;
  /** Device certificate PEM. */
  certificatePem: string;
  /** Device private key PEM (never logged). */
  privateKeyPem: string;
  /** CA bundle that the server certificate chains to. */
  caPem: string;
  /** Sent after the device certificate so the server sees the chain (JITR/JITP style). */
  chainPem?: string;
  /** Source address, e.g. the device's cellular session address. */
  localAddress?: string;
  /** ALPN protocols, e.g. ['x-amzn-mqtt-ca'] on port 443. */
  alpnProtocols?: string[];
  /** Whole connect (TCP + TLS + CONNECT/CONNACK) limit. */
  connectTimeoutMs?: number;
  /** Limit for each acknowledged operation after connect. */
  operationTimeoutMs?: number;
  protocolVersion?: 4 | 5;
  /**
   * The network the connection goes through: a device passes `ctx.link` (its field link, shaped
   * and counted); the harness's own connections (a JITR activator) leave it out: wired.
   */
  link?: FieldLink;
}

export interface MqttResponse {
  topic: string;
  payload: Buffer;
  accepted: boolean;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_OPERATION_TIMEOUT_MS = 15_000;

function isTlsAlert(error: NodeJS.ErrnoException): boolean {
  const code = error.code ?? '';
  return (
    code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /alert|certificate/i.test(error.message)
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ClassifiedError('timeout', `${what} took longer than ${ms} ms: is the data plane overloaded?`),
        ),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One device's MQTT session over mutual TLS: a fresh TLS context per connection, no session
 * resumption, no automatic reconnect. AWS answers a rejected certificate or a denied action by
 * closing the connection, so every operation also fails when the connection closes.
 */
export class DeviceMqttConnection {
  private closedError: ClassifiedError | undefined;
  private readonly closeWaiters = new Set<(error: ClassifiedError) => void>();

  private constructor(
    private readonly client: MqttClient,
    private readonly operationTimeoutMs: number,
    readonly clientId: string,
  ) {
    client.on('close', () =>
      this.failAll(new ClassifiedError('auth_rejected', `${clientId}: the broker closed the connection`)),
    );
    client.on('error', (error) => this.failAll(classifyAfterConnect(clientId, error)));
  }

  static async open(options: DeviceMqttOptions): Promise<DeviceMqttConnection> {
    let socket: TLSSocket | undefined;
    let handshakeDone = false;
    let socketError: Error | undefined;
    const link = options.link ?? WIRED_LINK;
    const streamBuilder = (): TLSSocket => {
      socket = link.connectTls({
        host: options.host,
        port: options.port,
        localAddress: options.localAddress,
        servername: options.servername ?? (isIpLiteral(options.host) ? undefined : options.host),
        key: options.privateKeyPem,
        cert: options.chainPem
          ? `${options.certificatePem.trimEnd()}\n${options.chainPem}`
          : options.certificatePem,
        ca: options.caPem,
        ALPNProtocols: options.alpnProtocols,
        rejectUnauthorized: true,
      });
      checkServerNameOnLeafOnly(socket);
      socket.once('secureConnect', () => {
        handshakeDone = true;
      });
      socket.on('error', (error) => {
        socketError ??= error;
      });
      return socket;
    };
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      protocolVersion: options.protocolVersion ?? 4,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 0,
      connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    };
    const client = new MqttClient(streamBuilder, clientOptions);
    if (options.link) {
      const countPublish = (packet: Packet): void => {
        if (packet.cmd === 'publish') options.link?.countMqttPublish(publishPayloadBytes(packet.payload));
      };
      client.on('packetsend', countPublish);
      client.on('packetreceive', countPublish);
    }
    const connected = new Promise<void>((resolve, reject) => {
      const fail = (error: ClassifiedError): void => {
        cleanup();
        client.end(true);
        reject(error);
      };
      const onConnect = (): void => {
        cleanup();
        resolve();
      };
      const onError = (error: Error): void => fail(classifyConnectError(options, error, handshakeDone));
      const onClose = (): void => {
        if (socketError) {
          fail(classifyConnectError(options, socketError, handshakeDone));
          return;
        }
        // Under TLS 1.3 a server that refuses the client certificate just closes after the
        // handshake, which a client cannot tell from a broker closing before CONNACK.
        fail(
          handshakeDone
            ? new ClassifiedError(
                'auth_rejected',
                `${options.clientId}: the broker closed the connection before CONNACK (certificate not ACTIVE, unknown, or iot:Connect denied)`,
              )
            : new ClassifiedError('tls_rejected', `${options.clientId}: the TLS handshake did not complete`),
        );
      };
      const cleanup = (): void => {
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
      };
      client.on('connect', onConnect);
      client.on('error', onError);
      client.on('close', onClose);
    });
    try {
      await withTimeout(
        connected,
        (options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) + 1_000,
        'MQTT connect',
      );
    } catch (error) {
      client.end(true);
      socket?.destroy();
      throw error;
    }
    return new DeviceMqttConnection(
      client,
      options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
      options.clientId,
    );
  }

  /** Publishes at QoS 1 and resolves when the broker's PUBACK arrives. */
  async publishAcked(topic: string, payload: string | Buffer): Promise<void> {
    await this.guard(this.client.publishAsync(topic, payload, { qos: 1 }), `publish to ${topic}`);
  }

  /** Subscribes at QoS 1; a refused subscription (SUBACK 0x80) is an auth rejection. */
  async subscribe(topicFilters: string[]): Promise<void> {
    const granted = await this.guard(this.client.subscribeAsync(topicFilters, { qos: 1 }), 'subscribe');
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length > 0) {
      throw new ClassifiedError(
        'auth_rejected',
        `${this.clientId}: subscription refused for ${refused.map((g) => g.topic).join(', ')}: check iot:Subscribe in the policy`,
      );
    }
  }

  /**
   * The AWS request/response pattern: subscribe to `<topic>/accepted` and `<topic>/rejected`,
   * publish the request, and resolve with whichever answer arrives first.
   */
  async request(topic: string, payload: string | Buffer): Promise<MqttResponse> {
    const acceptedTopic = `${topic}/accepted`;
    const rejectedTopic = `${topic}/rejected`;
    const answer = new Promise<MqttResponse>((resolve) => {
      const onMessage = (messageTopic: string, message: Buffer): void => {
        if (messageTopic !== acceptedTopic && messageTopic !== rejectedTopic) return;
        this.client.off('message', onMessage);
        resolve({ topic: messageTopic, payload: message, accepted: messageTopic === acceptedTopic });
      };
      this.client.on('message', onMessage);
    });
    await this.subscribe([acceptedTopic, rejectedTopic]);
    await this.publishAcked(topic, payload);
    return this.guard(answer, `answer on ${topic}/accepted|rejected`);
  }

  /** Every message that arrives on this connection (after a subscribe). */
  onMessage(handler: (topic: string, payload: Buffer) => void): void {
    this.client.on('message', (topic, payload) => handler(topic, payload));
  }

  /** Resolves when the connection closes for any reason (broker, network, or end()). */
  get closed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closedError || this.client.disconnected) resolve();
      else this.client.once('close', () => resolve());
    });
  }

  async end(): Promise<void> {
    if (this.closedError) return;
    await new Promise<void>((resolve) => this.client.end(false, {}, () => resolve()));
  }

  private failAll(error: ClassifiedError): void {
    this.closedError ??= error;
    for (const waiter of this.closeWaiters) waiter(this.closedError);
    this.closeWaiters.clear();
  }

  private guard<T>(operation: Promise<T>, what: string): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    let waiter: ((error: ClassifiedError) => void) | undefined;
    const closed = new Promise<never>((_, reject) => {
      waiter = reject;
      this.closeWaiters.add(reject);
    });
    return withTimeout(
      Promise.race([operation, closed]),
      this.operationTimeoutMs,
      `${this.clientId}: ${what}`,
    ).finally(() => {
      if (waiter) this.closeWaiters.delete(waiter);
    });
  }
}

function publishPayloadBytes(payload: string | Buffer): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function classifyConnectError(
  options: Pick<DeviceMqttOptions, 'clientId' | 'host' | 'port'>,
  error: Error,
  handshakeDone: boolean,
): ClassifiedError {
  const { clientId } = options;
  const errno = error as NodeJS.ErrnoException & { code?: string | number };
  if (!handshakeDone && isNetworkUnreachable(error)) {
    return new ClassifiedError(
      'network_unreachable',
      `${clientId}: cannot reach the MQTT endpoint ${options.host}:${options.port} (${errno.code}): check the name resolves and a broker listens there, or give the endpoint with provbench run --mqtt-endpoint host[:port]`,
      { cause: error },
    );
  }
  if (typeof errno.code === 'number') {
    // A CONNACK with a failure return/reason code.
    const cls =
      errno.code === 3 || errno.code === 0x88 || errno.code === 0x89 ? 'server_error' : 'auth_rejected';
    return new ClassifiedError(
      cls,
      `${clientId}: CONNACK refused with code ${errno.code}: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  if (error.message === 'connack timeout') {
    return new ClassifiedError('timeout', `${clientId}: no CONNACK within the connect timeout`, {
      cause: error,
    });
  }
  if (!handshakeDone || isTlsAlert(errno)) {
    return new ClassifiedError(
      'tls_rejected',
      `${clientId}: TLS failed (${errno.code ?? error.message}): check the device certificate and CA bundle`,
      {
        cause: error,
      },
    );
  }
  if (errno.code === 'ECONNRESET' || errno.code === 'EPIPE') {
    return new ClassifiedError(
      'auth_rejected',
      `${clientId}: the broker reset the connection before CONNACK`,
      {
        cause: error,
      },
    );
  }
  return new ClassifiedError('protocol_error', `${clientId}: ${error.message}`, { cause: error });
}

function classifyAfterConnect(clientId: string, error: Error): ClassifiedError {
  const errno = error as NodeJS.ErrnoException;
  if (errno.code === 'ECONNRESET' || errno.code === 'EPIPE') {
    return new ClassifiedError(
      'auth_rejected',
      `${clientId}: the broker reset the connection (action denied by policy?)`,
      {
        cause: error,
      },
    );
  }
  return new ClassifiedError('protocol_error', `${clientId}: ${error.message}`, { cause: error });
}

/**
 * The definition of provisioned: connect with the device's own credentials and get one QoS 1
 * publish acknowledged. Closes the connection afterwards.
 */
export async function connectAndPublish(
  options: DeviceMqttOptions,
  message: { topic: string; payload: string | Buffer },
): Promise<void> {
  const connection = await DeviceMqttConnection.open(options);
  try {
    await connection.publishAcked(message.topic, message.payload);
  } finally {
    await connection.end();
  }
}
