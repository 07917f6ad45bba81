import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LiveMetrics } from '../engine/live-metrics.js';
import { UsageError } from './options.js';

export interface MetricsEndpointOptions {
  /** Default 127.0.0.1; 0.0.0.0 to be scraped from other hosts (a pod). */
  host: string;
  port: number;
  /** After the run: serve until one scrape saw the final values, at most this long (0: close now). */
  lingerMs: number;
}

/** The live metrics endpoint of one run: GET /metrics, and GET / with a pointer to it. */
export class MetricsEndpoint {
  private ended = false;
  private onFinalScrape: () => void = () => undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly lingerMs: number,
  ) {}

  static async start(live: LiveMetrics, options: MetricsEndpointOptions): Promise<MetricsEndpoint> {
    let endpoint: MetricsEndpoint | null = null;
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/metrics') {
        const final = endpoint?.ended ?? false;
        live.text().then(
          (text) => {
            response.writeHead(200, { 'content-type': live.contentType }).end(text);
            if (final) endpoint?.onFinalScrape();
          },
          (error: unknown) => response.writeHead(500).end(String(error)),
        );
        return;
      }
      if (path === '/') {
        response
          .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
          .end('provbench live metrics: scrape /metrics (Prometheus text format)\n');
        return;
      }
      response
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('not found: try /metrics\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new UsageError(
            `cannot serve metrics on ${options.host}:${options.port} (${error.code ?? error.message}); choose another --metrics-port or --metrics-host`,
          ),
        ),
      );
      server.listen(options.port, options.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    endpoint = new MetricsEndpoint(server, `http://${host}:${port}/metrics`, options.lingerMs);
    return endpoint;
  }

  /**
   * The run ended and its values are final: keep serving until a scrape has read them, at most
   * --metrics-linger, then close.
   */
  async finish(): Promise<void> {
    this.ended = true;
    if (this.lingerMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.onFinalScrape = resolve;
        timer = setTimeout(resolve, this.lingerMs);
      });
      clearTimeout(timer);
    }
    await this.close();
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
