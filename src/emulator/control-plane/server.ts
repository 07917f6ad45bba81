import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { IotError, invalidRequest } from '../registry/index.js';
import type { ControlPlaneContext, OperationHandler, OperationHandlers } from './context.js';
import type { OperationInput } from './input.js';
import { accountOperations } from './operations/account.js';
import { caCertificateOperations } from './operations/ca-certificates.js';
import { certificateOperations } from './operations/certificates.js';
import { policyOperations } from './operations/policies.js';
import { provisioningOperations } from './operations/provisioning.js';
import { thingOperations } from './operations/things.js';
import type { QuotaGate } from './quota-gate.js';
import type { FaultInjector, LatencyModel } from './resilience.js';
import { matchRoute, type OperationName } from './routes.js';

const MAX_BODY_BYTES = 1024 * 1024;

export const OPERATION_HANDLERS: OperationHandlers = {
  ...certificateOperations,
  ...caCertificateOperations,
  ...thingOperations,
  ...policyOperations,
  ...provisioningOperations,
  ...accountOperations,
};

export interface ControlPlaneServerOptions extends ControlPlaneContext {
  /** Token buckets; absent with `--quotas none`. */
  quotas?: QuotaGate;
  latency?: LatencyModel;
  faults?: FaultInjector;
  /** Called once per completed operation (metrics, logging). */
  onOperation?: (operation: OperationName, status: number) => void;
}

class RequestBodyError extends Error {}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new RequestBodyError(`request body is larger than ${MAX_BODY_BYTES} bytes`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseJsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw invalidRequest(
      `The request body is not valid JSON (${(error as Error).message}): send a JSON object`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('The request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(payload);
}

function sendError(response: ServerResponse, error: IotError): void {
  send(
    response,
    error.httpStatus,
    { message: error.message, ...error.extra },
    { 'x-amzn-errortype': `${error.code}:` },
  );
}

/**
 * The AWS IoT control plane over HTTP, speaking REST-JSON as @aws-sdk/client-iot v3 and the AWS
 * CLI send it. Extra paths (e.g. `/_emulator/root-ca.pem`) go to `extraRoutes` first.
 */
export class ControlPlaneServer {
  private readonly server: Server;
  private url: string | undefined;

  constructor(
    private readonly options: ControlPlaneServerOptions,
    private readonly extraRoutes?: (request: IncomingMessage, response: ServerResponse) => boolean,
  ) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        console.error(`provbench control plane: ${(error as Error).stack ?? String(error)}`);
        if (!response.headersSent) {
          sendError(
            response,
            new IotError('InternalFailureException', 'Internal failure in the emulator; see its log'),
          );
        } else response.destroy();
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${shownHost}:${address.port}`;
    return this.url;
  }

  get address(): string {
    if (!this.url) throw new Error('control plane is not listening yet: await listen() first');
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.extraRoutes?.(request, response)) return;
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1));
    const method = request.method ?? 'GET';
    const match = matchRoute(method, path);
    let operation: OperationName | undefined;
    let status = 200;
    try {
      if (match.kind === 'bad-encoding')
        throw invalidRequest(`The path segment "${match.segment}" is not valid percent-encoding`);
      if (match.kind === 'method-not-allowed') {
        throw new IotError(
          'UnknownOperationException',
          `${method} ${path} is not an AWS IoT operation (allowed: ${match.allowed.join(', ')})`,
        );
      }
      if (match.kind === 'not-found') {
        throw new IotError(
          'UnknownOperationException',
          `${method} ${path} is not an AWS IoT operation the emulator knows; see README "Emulator fidelity"`,
        );
      }
      operation = match.operation;
      let raw: Buffer;
      try {
        raw = await readBody(request);
      } catch (error) {
        if (error instanceof RequestBodyError) throw invalidRequest(error.message);
        throw error;
      }
      if (this.options.quotas && !this.options.quotas.admit(operation)) {
        throw new IotError('ThrottlingException', 'Rate exceeded');
      }
      const fault = this.options.faults?.pick(operation);
      if (fault)
        throw new IotError(fault, `Injected fault (${fault}) for ${operation}: fault injection is on`);
      const input: OperationInput = {
        labels: match.labels,
        query,
        headers: request.headers,
        body: parseJsonBody(raw),
      };
      const handler = OPERATION_HANDLERS[operation] as OperationHandler;
      const result = await handler(input, this.options);
      await this.delay(operation);
      send(response, 200, result);
    } catch (error) {
      if (!(error instanceof IotError)) throw error;
      status = error.httpStatus;
      if (operation) await this.delay(operation);
      sendError(response, error);
    } finally {
      if (operation) this.options.onOperation?.(operation, status);
    }
  }

  private async delay(operation: string): Promise<void> {
    const ms = this.options.latency?.sample(operation) ?? 0;
    if (ms > 0) await sleep(ms);
  }
}
