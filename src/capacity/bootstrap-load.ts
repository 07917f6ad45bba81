import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { BootstrapRequestParameters, SimKey } from '../../scenarios/lib/krypton-client.js';
import { LatencyHistogram } from '../metrics/histogram.js';
import type { ErrorClass } from '../metrics/result-schema.js';
import { startLinkProxy } from '../network/link-proxy.js';
import { isTransparent, type NetworkProfile } from '../network/profile.js';
import { signKryptonRequest } from '../sim/krypton-signature.js';
import { errorClassOfStatus } from './status-class.js';

export const BOOTSTRAP_PATH = '/v1/provisioning/aws/iot/bootstrap';

/** Told about each request as it goes (live metrics). */
export interface LoadObserver {
  /** The load begins: at most `requests` requests (one per authenticated SIM). */
  begin(requests: number): void;
  sent(): void;
  /** An answer: its HTTP status and the latency recorded for it (from its intended slot when paced). */
  answered(status: number, latencyMs: number): void;
  /** No answer (timeout, reset). */
  unanswered(errorClass: ErrorClass): void;
}

export interface BootstrapLoadOptions {
  /** Base URL of the Krypton-compatible service, e.g. `https://127.0.0.1:8036`. */
  kryptonUrl: string;
  /** One authenticated SIM per request: the run sends at most this many requests. */
  keys: readonly SimKey[];
  connections: number;
  /** Overall requests per second (autocannon `overallRate`); absent: as fast as the connections go. */
  rate?: number;
  /** Stop sending after this many seconds even if SIMs are left. */
  durationSeconds?: number;
  /** Per-request timeout in seconds (autocannon `timeout`). */
  timeoutSeconds?: number;
  requestParameters?: BootstrapRequestParameters;
  /**
   * The SIMs' field link: autocannon opens its own sockets, so it connects through a loopback
   * forwarder that gives each of its connections a link of its own (seeded by `seed`).
   */
  network?: NetworkProfile;
  seed?: number;
  observer?: LoadObserver;
}

export interface BootstrapOutcome {
  imsi: string;
  status: number;
  /** Thing (or client ID) the service provisioned for this SIM, from a 2xx body. */
  thingName: string | null;
}

/** One second of the load phase, relative to its start. */
export interface LoadSecond {
  second: number;
  started: number;
  succeeded: number;
  failed: number;
  errors: Record<string, number>;
}

export interface BootstrapLoad {
  startedAt: Date;
  durationMs: number;
  connections: number;
  /** Requests each connection may send per second (autocannon splits `overallRate`); empty when unpaced. */
  connectionRates: number[];
  sent: number;
  outcomes: BootstrapOutcome[];
  /** Response time of each answered request (service time, no correction). */
  serviceTime: LatencyHistogram;
  /**
   * When paced (`rate`): time from each request's intended send slot (see `recordResponse`), so
   * a backlog counts (coordinated omission); unpaced: the response times, as `serviceTime`.
   */
  latency: LatencyHistogram;
  /** Requests that got no answer (timeout, reset), by class. */
  transportErrors: Record<string, number>;
  seconds: LoadSecond[];
  /** autocannon's own figures, for comparison (its histogram skips CO correction: docs/capacity-and-kubernetes.md). */
  autocannon: {
    requestsPerSecondMean: number;
    latencyP50Ms: number;
    latencyP99Ms: number;
    latencyMaxMs: number;
    non2xx: number;
    errors: number;
    timeouts: number;
  };
}

interface RequestContext {
  imsi?: string;
}

/** autocannon's per-connection client carries the request rate it was given; the type omits it. */
function rateOfClient(client: unknown): number {
  const rate = (client as { rate?: unknown }).rate;
  return typeof rate === 'number' && rate > 0 ? rate : 0;
}

/**
 * Records one response: its response time into `serviceTime`; into `latency` the time from its
 * intended send instant (the connection's k-th slot on an even schedule at its rate), or from its
 * actual send if that came first (autocannon sends each second's quota in a burst), so a
 * connection that falls behind its schedule shows the backlog as latency, as `provbench run
 * --rate` measures devices from their intended start. Unpaced: the response time.
 */
export function recordResponse(
  histograms: { serviceTime: LatencyHistogram; latency: LatencyHistogram },
  responseTimeMs: number,
  intendedStartMs: number | null,
  nowMs: number,
): number {
  histograms.serviceTime.recordMillis(responseTimeMs);
  const fromIntended = intendedStartMs === null ? 0 : nowMs - intendedStartMs;
  const latencyMs = Math.max(responseTimeMs, fromIntended);
  histograms.latency.recordMillis(latencyMs);
  return latencyMs;
}

/** Connections autocannon would run unpaced: it gives `floor(rate / connections)` (0 = no limit) to each. */
export function checkRateCoversConnections(rate: number | undefined, connections: number): void {
  if (rate === undefined) return;
  if (!Number.isInteger(rate) || rate < connections) {
    throw new Error(
      `--rate ${rate} must be a whole number of at least --connections ${connections}: autocannon gives each connection floor(rate / connections) requests per second, and a connection given 0 runs unpaced`,
    );
  }
}

/**
 * Sends Krypton bootstrap requests with autocannon, each signed for a different SIM (CK from
 * its AKA session, `x-soracom-*` headers), and records latency into our HDR histograms.
 */
export async function runBootstrapLoad(options: BootstrapLoadOptions): Promise<BootstrapLoad> {
  if (options.keys.length === 0) throw new Error('no authenticated SIMs to send bootstrap requests for');
  const connections = Math.max(1, Math.min(options.connections, options.keys.length));
  checkRateCoversConnections(options.rate, connections);
  const service = new URL(BOOTSTRAP_PATH, options.kryptonUrl);
  const proxy =
    options.network && !isTransparent(options.network)
      ? await startLinkProxy(
          { host: service.hostname.replace(/^\[|\]$/g, ''), port: Number(service.port || 443) },
          options.network,
          options.seed ?? 1,
        )
      : null;
  const url = proxy ? `https://127.0.0.1:${proxy.port}${BOOTSTRAP_PATH}` : service.toString();
  const parameters = options.requestParameters ?? {};
  const bodyExtras = Object.keys(parameters).length > 0 ? { requestParameters: parameters } : {};

  const serviceTime = LatencyHistogram.create();
  const latency = LatencyHistogram.create();
  const outcomes: BootstrapOutcome[] = [];
  const transportErrors: Record<string, number> = {};
  const seconds = new Map<number, LoadSecond>();
  let startMs = performance.now();
  const secondNow = (): LoadSecond => {
    const second = Math.max(0, Math.floor((performance.now() - startMs) / 1000));
    let point = seconds.get(second);
    if (!point) {
      point = { second, started: 0, succeeded: 0, failed: 0, errors: {} };
      seconds.set(second, point);
    }
    return point;
  };
  let nextKey = 0;
  // Per connection: how many requests it has finished (answered or timed out), in send order.
  const slots = new Map<unknown, number>();
  const nextSlot = (client: unknown): number => {
    const slot = slots.get(client) ?? 0;
    slots.set(client, slot + 1);
    return slot;
  };

  const setupRequest = (request: autocannon.Request, context: object): autocannon.Request => {
    const key = options.keys[nextKey++];
    if (!key) return request;
    (context as RequestContext).imsi = key.imsi;
    const body = JSON.stringify({ keyId: key.keyId, ...bodyExtras });
    secondNow().started++;
    options.observer?.sent();
    return {
      ...request,
      method: 'POST',
      path: BOOTSTRAP_PATH,
      body,
      headers: {
        ...request.headers,
        'content-type': 'application/json',
        ...signKryptonRequest(body, key.ck),
      },
    };
  };

  const onResponse = (status: number, body: string, context: object): void => {
    let thingName: string | null = null;
    if (status >= 200 && status < 300) {
      try {
        const parsed = JSON.parse(body) as { thingName?: string; clientId?: string };
        thingName = parsed.thingName ?? parsed.clientId ?? null;
      } catch {
        thingName = null;
      }
    }
    outcomes.push({ imsi: (context as RequestContext).imsi ?? '', status, thingName });
    const point = secondNow();
    const errorClass = errorClassOfStatus(status);
    if (errorClass === null) point.succeeded++;
    else {
      point.failed++;
      point.errors[errorClass] = (point.errors[errorClass] ?? 0) + 1;
    }
  };

  const startedAt = new Date();
  startMs = performance.now();
  options.observer?.begin(options.keys.length);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        pipelining: 1,
        // Through the forwarder, still name the service (SNI) as a direct connection would.
        ...(proxy && !isIP(service.hostname) ? { servername: service.hostname } : {}),
        amount: options.keys.length,
        timeout: options.timeoutSeconds ?? 30,
        // With a rate, autocannon's own correction uses an expected interval of ceil(1 / rate) ms
        // = 1 ms: switched off; `latency` is measured from each request's intended slot instead.
        ...(options.rate !== undefined ? { overallRate: options.rate, ignoreCoordinatedOmission: true } : {}),
        requests: [{ method: 'POST', path: BOOTSTRAP_PATH, setupRequest, onResponse }],
        // A timed-out request used its slot in the connection's schedule too.
        setupClient: (client: NodeJS.EventEmitter) => {
          client.on('timeout', () => nextSlot(client));
        },
      },
      (error: unknown, finished: autocannon.Result) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (client, status, _bytes, responseTimeMs) => {
      const slot = nextSlot(client);
      const rate = rateOfClient(client);
      const intended = rate > 0 ? startMs + (slot * 1000) / rate : null;
      const latencyMs = recordResponse({ serviceTime, latency }, responseTimeMs, intended, performance.now());
      options.observer?.answered(status, latencyMs);
    });
    instance.on('reqError', (error: unknown) => {
      const errorClass = /timed out/i.test(String((error as Error)?.message)) ? 'timeout' : 'protocol_error';
      transportErrors[errorClass] = (transportErrors[errorClass] ?? 0) + 1;
      options.observer?.unanswered(errorClass);
      const point = secondNow();
      point.failed++;
      point.errors[errorClass] = (point.errors[errorClass] ?? 0) + 1;
    });
    if (options.durationSeconds !== undefined) {
      const timer = setTimeout(() => instance.stop(), options.durationSeconds * 1000);
      instance.on('done', () => clearTimeout(timer));
    }
  }).finally(() => proxy?.close());
  const durationMs = performance.now() - startMs;

  const connectionRates =
    options.rate === undefined
      ? []
      : Array.from(
          { length: connections },
          (_, i) => Math.floor(options.rate! / connections) + (i + 1 <= options.rate! % connections ? 1 : 0),
        );
  const maxSecond = Math.max(-1, ...seconds.keys());
  return {
    startedAt,
    durationMs,
    connections,
    connectionRates,
    sent: Math.min(nextKey, options.keys.length),
    outcomes,
    serviceTime,
    latency,
    transportErrors,
    seconds: Array.from(
      { length: maxSecond + 1 },
      (_, second) => seconds.get(second) ?? { second, started: 0, succeeded: 0, failed: 0, errors: {} },
    ),
    autocannon: {
      requestsPerSecondMean: result.requests.mean,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      latencyMaxMs: result.latency.max,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    },
  };
}
