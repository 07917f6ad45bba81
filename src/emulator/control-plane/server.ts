import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IotError } from '../registry/index.js';
import {
  ControlPlaneDispatcher,
  type ControlPlaneResponse,
  type ControlPlaneServerOptions,
  errorResponse,
  MAX_BODY_BYTES,
  RequestBodyError,
} from './dispatch.js';

export { type ControlPlaneServerOptions, OPERATION_HANDLERS } from './dispatch.js';

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

function send(response: ServerResponse, answer: ControlPlaneResponse): void {
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-length': Buffer.byteLength(answer.body),
  });
  response.end(answer.body);
}

/** Control planes listening in this process, by URL: co-hosted clients may skip the socket. */
const listening = new Map<string, ControlPlaneDispatcher>();

/**
 * The request logic of the control plane that listens at `url` in this process, or undefined
 * when none does (another process, moto, LocalStack, AWS).
 */
export function coHostedControlPlane(url: string): ControlPlaneDispatcher | undefined {
  return listening.get(url.replace(/\/+$/, ''));
}

/**
 * The AWS IoT control plane over HTTP, speaking REST-JSON as @aws-sdk/client-iot v3 and the AWS
 * CLI send it. Extra paths (e.g. `/_emulator/root-ca.pem`) go to `extraRoutes` first.
 */
export class ControlPlaneServer {
  private readonly server: Server;
  readonly dispatcher: ControlPlaneDispatcher;
  private url: string | undefined;

  constructor(
    options: ControlPlaneServerOptions,
    private readonly extraRoutes?: (request: IncomingMessage, response: ServerResponse) => boolean,
  ) {
    this.dispatcher = new ControlPlaneDispatcher(options);
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        console.error(`provbench control plane: ${(error as Error).stack ?? String(error)}`);
        if (response.headersSent) response.destroy();
        else
          send(
            response,
            errorResponse(
              new IotError('InternalFailureException', 'Internal failure in the emulator; see its log'),
            ),
          );
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
    listening.set(this.url, this.dispatcher);
    return this.url;
  }

  get address(): string {
    if (!this.url) throw new Error('control plane is not listening yet: await listen() first');
    return this.url;
  }

  async close(): Promise<void> {
    if (this.url) listening.delete(this.url);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.extraRoutes?.(request, response)) return;
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const answer = await this.dispatcher.dispatch({
      method: request.method ?? 'GET',
      path: queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt),
      query: new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1)),
      headers: request.headers,
      body: () => readBody(request),
      sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, ''),
    });
    send(response, answer);
  }
}
