import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { registerAdminRoutes } from './admin-routes.js';
import { KryptonError } from './errors.js';
import { registerKeysRoutes } from './keys-routes.js';
import { KryptonService, type KryptonServiceOptions } from './krypton-service.js';
import { registerProvisioningRoutes } from './provisioning-routes.js';

export interface KryptonServerOptions extends KryptonServiceOptions {
  /** TLS server key and certificate chain (from the emulator's pki). */
  tls: { key: string; cert: string };
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Largest accepted request body (default 64 KiB). */
  bodyLimit?: number;
}

export interface KryptonServer {
  /** `https://<host>:<port>`: where bootstrap, keys and /_emulator endpoints are served. */
  url: string;
  port: number;
  service: KryptonService;
  app: FastifyInstance;
  close(): Promise<void>;
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Maps every failure to SORACOM's `{code, message}` error body. */
function sendError(error: FastifyError | KryptonError | ZodError | Error) {
  if (error instanceof KryptonError) return { status: error.statusCode, body: error.toBody() };
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    return {
      status: 400,
      body: { code: 'INVALID_PARAMETER', message: `${issue?.path.join('.') || 'body'}: ${issue?.message}` },
    };
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = FASTIFY_CODES[(error as FastifyError).code] ?? 'BAD_REQUEST';
    return { status, body: { code, message: error.message } };
  }
  return { status: 500, body: { code: 'INTERNAL_ERROR', message: 'internal error; see the emulator log' } };
}

/** The Krypton-compatible HTTPS service: bootstrap, SIM keys and the harness's admin endpoints. */
export async function startKryptonServer(options: KryptonServerOptions): Promise<KryptonServer> {
  const service = new KryptonService(options);
  const app = Fastify({
    https: { key: options.tls.key, cert: options.tls.cert },
    bodyLimit: options.bodyLimit ?? 65_536,
    logger: false,
    keepAliveTimeout: 30_000,
  });
  // Bodies stay raw: signatures cover the exact bytes, and cellular devices may send none.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError | KryptonError | ZodError, request, reply) => {
    const { status, body } = sendError(error);
    if (status >= 500) request.log.error(error);
    reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ code: 'NOT_FOUND', message: `no such endpoint: ${request.method} ${request.url}` });
  });
  registerAdminRoutes(app, service);
  registerKeysRoutes(app, service);
  registerProvisioningRoutes(app, service);

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `https://${urlHost}:${port}`,
    port,
    service,
    app,
    async close() {
      await app.close();
      service.close();
    },
  };
}
