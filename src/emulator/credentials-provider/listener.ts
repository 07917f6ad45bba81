import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { dataPlaneRegistryFor } from '../data-plane/iot-registry-adapter.js';
import type { EmulatorListenerFactory } from '../options.js';
import { TokenBucket } from '../rate-limiter.js';
import { RoleAliasAuthorizer } from './assume-role.js';

const CREDENTIALS_PATH = /^\/role-aliases\/([^/]+)\/credentials$/;

function send(
  response: import('node:http').ServerResponse,
  status: number,
  body: unknown,
  errorType?: string,
): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-RequestId': randomUUID(),
  };
  if (errorType) headers['x-amzn-ErrorType'] = errorType;
  response.writeHead(status, headers);
  response.end(JSON.stringify(body));
}

/**
 * The credentials provider on `--credentials-port`: HTTPS with the device certificate as the
 * client certificate, `GET /role-aliases/<alias>/credentials` (header `x-amzn-iot-thingname`
 * optional). Its server certificate names the DescribeEndpoint `iot:CredentialProvider` host.
 * AWS's AssumeRoleWithCertificate quota applies unless `--quotas none`.
 */
export const credentialsProviderListener: EmulatorListenerFactory = async (context) => {
  const names = new Set([
    '127.0.0.1',
    'localhost',
    context.host,
    context.registry.endpointAddress('iot:CredentialProvider'),
  ]);
  const serverCertificate = await context.pki.issueServerCertificate([...names]);
  const authorizer = new RoleAliasAuthorizer(
    context.registry,
    dataPlaneRegistryFor(context.registry, context.pki),
  );
  const perSecond = context.quotaTable?.limits.assumeRoleWithCertificatePerSecond;
  const bucket = perSecond ? new TokenBucket(perSecond) : undefined;

  const server: Server = createServer(
    {
      cert: serverCertificate.chainPem,
      key: serverCertificate.privateKeyPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (request, response) => {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const match = CREDENTIALS_PATH.exec(path);
      if (request.method !== 'GET' || !match) {
        send(response, 404, { message: 'Not Found: use GET /role-aliases/<roleAlias>/credentials' });
        return;
      }
      if (bucket && !bucket.tryTake()) {
        send(response, 429, { message: 'Rate exceeded' }, 'ThrottlingException');
        return;
      }
      const socket = request.socket as TLSSocket;
      const leaf = (socket.getPeerCertificate() as { raw?: Buffer }).raw;
      const thingHeader = request.headers['x-amzn-iot-thingname'];
      let roleAlias: string;
      try {
        roleAlias = decodeURIComponent(match[1] ?? '');
      } catch {
        send(response, 404, { message: 'Role alias does not exist' }, 'ResourceNotFoundException');
        return;
      }
      const answer = authorizer.answer({
        roleAlias,
        thingName: Array.isArray(thingHeader) ? thingHeader[0] : thingHeader,
        leaf,
        sourceIp: socket.remoteAddress,
      });
      if (answer.status === 200) send(response, 200, { credentials: answer.credentials });
      else send(response, answer.status, { message: answer.message }, answer.errorType);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(context.options.credentialsPort ?? 0, context.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = context.host.includes(':') ? `[${context.host}]` : context.host;
  return {
    name: 'credentials-provider',
    credentialsProviderUrl: `https://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
