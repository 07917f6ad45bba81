import { request } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { signKryptonRequest } from '../../src/sim/krypton-signature.js';
import type { SimCard } from '../../src/sim/sim-card.js';
import { type ConnectTls, LeafNameCheckAgent } from '../../src/tls/leaf-name-check.js';

/** A `{code, message}` error from the Krypton service, with its HTTP status. */
export class KryptonApiError extends Error {
  override readonly name = 'KryptonApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** The session key from SIM authentication (`/v1/keys` then `/verify`). */
export interface SimKey {
  keyId: string;
  imsi: string;
  ck: Buffer;
}

export interface BootstrapRequestParameters {
  thingName?: string;
  skipCertificates?: boolean;
}

export interface BootstrapResponse {
  region: string;
  host: string;
  clientId: string;
  thingName?: string;
  certificateId?: string;
  certificate?: string;
  privateKey: string;
  rootCaCertificate?: string;
}

export interface KryptonClientOptions {
  /** e.g. `https://127.0.0.1:8036` (the emulator's `kryptonUrl`). */
  baseUrl: string;
  /** CA bundle the service's TLS certificate chains to. */
  ca: string | Buffer;
  /** Cellular path: the SIM's session address; every socket is bound to it. */
  localAddress?: string;
  /** Reuse connections between calls (default true; a benchmark of cold devices may turn it off). */
  keepAlive?: boolean;
  timeoutMs?: number;
  /**
   * The network a device reaches the service through: a scenario passes its `ctx.link` (the
   * field link, shaped and counted). Absent: plain sockets (the harness, tests).
   */
  link?: { connectTls: ConnectTls };
}

/** Building a TLS context from a CA bundle costs milliseconds; devices trusting the same bundle share one. */
const secureContexts = new Map<string, SecureContext>();

function secureContextFor(ca: string | Buffer): SecureContext {
  const key = ca.toString();
  let context = secureContexts.get(key);
  if (!context) {
    if (secureContexts.size >= 8) secureContexts.clear();
    context = createSecureContext({ ca });
    secureContexts.set(key, context);
  }
  return context;
}

interface HttpResult {
  status: number;
  body: Buffer;
}

/**
 * A device's client for the Krypton-compatible service: SIM authentication with its USIM, then
 * provisioning calls, either unsigned over the cellular session or signed with the CK.
 */
export class KryptonClient {
  private readonly agent: LeafNameCheckAgent;
  private readonly url: URL;

  constructor(private readonly options: KryptonClientOptions) {
    this.url = new URL(options.baseUrl);
    const link = options.link;
    this.agent = new LeafNameCheckAgent(
      {
        secureContext: secureContextFor(options.ca),
        keepAlive: options.keepAlive ?? true,
        maxSockets: 4,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      link ? (tlsOptions) => link.connectTls(tlsOptions) : undefined,
    );
  }

  /** AKA with the card: challenge, AUTHENTICATE, one resync if the card's SQN is ahead, verify. */
  async authenticate(card: SimCard): Promise<SimKey> {
    let challenge = await this.postJson<{ keyId: string; rand: string; autn: string }>('/v1/keys', {
      imsi: card.imsi,
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const rand = Buffer.from(challenge.rand, 'base64');
      const answer = card.authenticate(rand, Buffer.from(challenge.autn, 'base64'));
      if (answer.kind === 'success') {
        const verified = await this.postJson<{ keyId: string; imsi: string; ck: string }>(
          `/v1/keys/${encodeURIComponent(challenge.keyId)}/verify`,
          { res: answer.res.toString('base64') },
        );
        return { keyId: verified.keyId, imsi: verified.imsi, ck: Buffer.from(verified.ck, 'base64') };
      }
      if (answer.kind === 'mac-failure') {
        throw new KryptonApiError(
          0,
          'MAC_FAILURE',
          'the SIM rejected the network (AUTN MAC mismatch): Ki/OPc differ between SIM and network',
        );
      }
      challenge = await this.postJson('/v1/keys', {
        imsi: card.imsi,
        rand: challenge.rand,
        auts: answer.auts.toString('base64'),
      });
    }
    throw new KryptonApiError(0, 'RESYNC_FAILED', 'the SIM still rejects the SQN after a resynchronisation');
  }

  /** `POST /v1/provisioning/aws/iot/bootstrap`; signed with `key` when given, else identified by the cellular session. */
  bootstrap(parameters: BootstrapRequestParameters = {}, key?: SimKey): Promise<BootstrapResponse> {
    const body = Object.keys(parameters).length > 0 ? { requestParameters: parameters } : {};
    return this.provisioning('/v1/provisioning/aws/iot/bootstrap', body, key);
  }

  async certificate(certificateId: string, key?: SimKey): Promise<string> {
    const path = `/v1/provisioning/aws/iot/certificates/${encodeURIComponent(certificateId)}`;
    return (await this.provisioning<{ certificate: string }>(path, {}, key)).certificate;
  }

  async rootCaCertificate(key?: SimKey): Promise<string> {
    return (
      await this.provisioning<{ rootCaCertificate: string }>(
        '/v1/provisioning/aws/iot/ca_certificate',
        {},
        key,
      )
    ).rootCaCertificate;
  }

  subscriberMetadata(key?: SimKey): Promise<Record<string, unknown>> {
    return this.provisioning('/v1/provisioning/soracom/air/subscriber_metadata', {}, key);
  }

  async userdata(key?: SimKey): Promise<string> {
    const payload = this.payload({}, key);
    const result = await this.send('/v1/provisioning/soracom/air/userdata', payload.body, payload.headers);
    if (result.status !== 200) throw errorFrom(result);
    return result.body.toString('utf8');
  }

  close(): void {
    this.agent.destroy();
  }

  private async provisioning<T>(path: string, body: Record<string, unknown>, key?: SimKey): Promise<T> {
    const payload = this.payload(body, key);
    const result = await this.send(path, payload.body, payload.headers);
    if (result.status !== 200) throw errorFrom(result);
    return JSON.parse(result.body.toString('utf8')) as T;
  }

  private payload(
    body: Record<string, unknown>,
    key?: SimKey,
  ): { body: string; headers: Record<string, string> } {
    if (!key) return { body: JSON.stringify(body), headers: {} };
    const signedBody = JSON.stringify({ keyId: key.keyId, ...body });
    return { body: signedBody, headers: { ...signKryptonRequest(signedBody, key.ck) } };
  }

  private async postJson<T>(path: string, body: unknown): Promise<T> {
    const result = await this.send(path, JSON.stringify(body), {});
    if (result.status !== 200) throw errorFrom(result);
    return JSON.parse(result.body.toString('utf8')) as T;
  }

  /** One HTTPS request (POST unless told); exposed for harness calls and hand-made bodies in tests. */
  send(
    path: string,
    body: string | Buffer,
    headers: Record<string, string>,
    method = 'POST',
  ): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          protocol: 'https:',
          hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
          port: this.url.port,
          path,
          method,
          agent: this.agent,
          timeout: this.options.timeoutMs ?? 30_000,
          headers: { 'content-type': 'application/json', 'x-soracom-lang': 'en', ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`Krypton request ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

function errorFrom(result: HttpResult): KryptonApiError {
  try {
    const parsed = JSON.parse(result.body.toString('utf8')) as { code?: string; message?: string };
    return new KryptonApiError(result.status, parsed.code ?? 'UNKNOWN', parsed.message ?? '');
  } catch {
    return new KryptonApiError(result.status, 'UNKNOWN', result.body.toString('utf8').slice(0, 200));
  }
}
