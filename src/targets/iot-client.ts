import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { IoTClient } from '@aws-sdk/client-iot';

/**
 * How to reach a target's control plane, as plain data (it is handed to worker threads, each
 * of which builds its own client).
 */
export interface IoTClientConfig {
  region: string;
  /** Control-plane base URL; null = AWS's regional endpoint. */
  endpoint: string | null;
  /** Static credentials (emulator, moto, LocalStack); null = the default credential chain. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
  requestTimeoutMs: number;
}

/** Credentials local emulators accept (any signature verifies there). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/**
 * Middleware that costs client CPU on every call and does nothing for provbench: logging to
 * the SDK's no-op logger, and the X-Amzn-Trace-Id header, which is only set inside AWS Lambda.
 */
const IDLE_MIDDLEWARE = ['loggerMiddleware', 'recursionDetectionMiddleware'];

/** A User-Agent section as the SDK writes it: `aws-sdk-js/3.1`, `os/linux#6.1`, `api/iot#3.1`. */
function userAgentSection([pairName, version]: readonly [string, string?]): string {
  const name = pairName.startsWith('api/') ? pairName.toLowerCase() : pairName;
  const escaped = version?.replace(/[^!$%&'*+\-.^_`|~\w#]/g, '-');
  if (!escaped) return name;
  return name.includes('/') ? `${name}#${escaped}` : `${name}/${escaped}`;
}

/**
 * The SDK rebuilds and re-escapes its User-Agent strings on every call; this sets the same
 * sections (SDK, OS, runtime, API, plus `app/provbench`) from strings built once per client.
 */
function useStaticUserAgent(client: IoTClient): void {
  let headers: Promise<{ userAgent: string; amzUserAgent: string }> | undefined;
  client.middlewareStack.remove('getUserAgentMiddleware');
  client.middlewareStack.add(
    (next) => async (args) => {
      headers ??= client.config.defaultUserAgentProvider().then((pairs) => {
        const sections = [...pairs, ['app', 'provbench'] as const].map(userAgentSection);
        return {
          userAgent: sections.join(' '),
          amzUserAgent: sections.filter((section) => section.startsWith('aws-sdk-')).join(' '),
        };
      });
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) {
        const { userAgent, amzUserAgent } = await headers;
        request.headers['user-agent'] = userAgent;
        request.headers['x-amz-user-agent'] = amzUserAgent;
      }
      return next(args);
    },
    { step: 'build', name: 'provbenchUserAgent', priority: 'low' },
  );
}

/**
 * An IoTClient with the SDK's retries off (maxAttempts 1): provbench retries and counts
 * attempts itself (see engine/api-calls.ts). Keep-alive sockets so per-device calls do not
 * each pay a TCP (and TLS) handshake; SigV4 as AWS requires; none of the SDK's per-call work
 * that only feeds its logger or telemetry (about a sixth of the client's CPU per call).
 */
export function createIoTClient(config: IoTClientConfig): IoTClient {
  // provbench supports Node 20 on purpose; the SDK's per-thread notice about its future Node 22
  // requirement would otherwise interleave with the progress bar once per worker.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new IoTClient({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    maxAttempts: 1,
    requestHandler: {
      requestTimeout: config.requestTimeoutMs,
      connectionTimeout: Math.min(config.requestTimeoutMs, 10_000),
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
    },
  });
  for (const name of IDLE_MIDDLEWARE) client.middlewareStack.remove(name);
  useStaticUserAgent(client);
  return client;
}
