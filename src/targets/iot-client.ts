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
 * An IoTClient with the SDK's retries off (maxAttempts 1): provbench retries and counts
 * attempts itself (see engine/api-calls.ts). Keep-alive sockets so per-device calls do not
 * each pay a TCP (and TLS) handshake.
 */
export function createIoTClient(config: IoTClientConfig): IoTClient {
  // provbench supports Node 20 on purpose; the SDK's per-thread notice about its future Node 22
  // requirement would otherwise interleave with the progress bar once per worker.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new IoTClient({
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
}
