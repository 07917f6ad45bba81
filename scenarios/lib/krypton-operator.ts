import { Agent, request } from 'node:https';
import {
  ClassifiedError,
  classifyHttpStatus,
  httpError,
  type IoTEndpoint,
  ServerError,
} from '../../src/contract/index.js';
import { KryptonApiError } from './krypton-client.js';

/** The Krypton-compatible service's base URL, or a clear error when the target has none. */
export function kryptonUrlOf(endpoint: IoTEndpoint): string {
  if (!endpoint.kryptonUrl) {
    throw new ServerError(
      `target ${endpoint.target} has no Krypton-compatible bootstrap service: run krypton on the embedded target`,
    );
  }
  return endpoint.kryptonUrl;
}

/** The operator's calls are not the device's: one keep-alive connection pool per CA bundle. */
const operatorAgents = new Map<string, Agent>();

function operatorAgent(caPem: string): Agent {
  let agent = operatorAgents.get(caPem);
  if (!agent) {
    agent = new Agent({ ca: caPem, keepAlive: true, maxSockets: 16 });
    operatorAgents.set(caPem, agent);
  }
  return agent;
}

/**
 * The mobile operator's side, as the harness plays it on the embedded target: SIM inventory,
 * group configuration and the cellular network, under `<kryptonUrl>/_emulator/`.
 */
export function operatorRequest<T>(
  endpoint: IoTEndpoint,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
): Promise<T> {
  const url = new URL(path, kryptonUrlOf(endpoint));
  const payload = JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: operatorAgent(endpoint.rootCaPem),
        timeout: 30_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            reject(httpError(status, `${method} ${url.pathname}`, text));
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            reject(httpError(502, `${method} ${url.pathname} returned non-JSON`, text));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Maps a Krypton `{code, message}` failure to the engine's taxonomy; other errors pass through. */
export function asClassifiedError(error: unknown): unknown {
  if (!(error instanceof KryptonApiError)) return error;
  const errorClass =
    error.status === 0 ? 'auth_rejected' : (classifyHttpStatus(error.status) ?? 'protocol_error');
  return new ClassifiedError(errorClass, error.message, { cause: error });
}
