import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KryptonError } from './errors.js';
import type { BootstrapParameters, KryptonCaller, KryptonService } from './krypton-service.js';
import { jsonBody, rawBody } from './request-body.js';
import { subscriberMetadata } from './subscriber-metadata.js';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Who is asking: a request signed with a SIM-authenticated key (any network), else the cellular
 * session whose address the request comes from.
 */
export function identify(
  service: KryptonService,
  request: FastifyRequest,
  body: Record<string, unknown>,
): KryptonCaller {
  const signature = header(request, 'x-soracom-signature');
  if (signature !== undefined) {
    const key = service.signatures.verify({
      signature,
      timestamp: header(request, 'x-soracom-timestamp'),
      algorithm: header(request, 'x-soracom-digest-algorithm'),
      rawBody: rawBody(request),
      keyId: body.keyId,
    });
    service.subscriber(key.imsi);
    return { via: 'sim-authentication', imsi: key.imsi, keyId: key.keyId };
  }
  const session = service.network.sessionByAddress(request.socket.remoteAddress);
  if (!session) {
    throw new KryptonError(
      401,
      'UNKNOWN_SOURCE',
      `no cellular session has address ${request.socket.remoteAddress}; connect from the SIM's session address, or authenticate with POST /v1/keys and sign the request`,
    );
  }
  service.subscriber(session.imsi);
  return { via: 'cellular', imsi: session.imsi, session };
}

/** `requestParameters` (Go client, devices), or the same keys at top level (SORACOM's Java client). */
function bootstrapParameters(body: Record<string, unknown>): BootstrapParameters {
  const source = body.requestParameters ?? body;
  if (source === null || typeof source !== 'object' || Array.isArray(source)) {
    throw new KryptonError(400, 'INVALID_PARAMETER', '"requestParameters" must be an object');
  }
  const { thingName, skipCertificates } = source as Record<string, unknown>;
  if (thingName !== undefined && typeof thingName !== 'string') {
    throw new KryptonError(400, 'INVALID_PARAMETER', 'requestParameters.thingName must be a string');
  }
  if (skipCertificates !== undefined && typeof skipCertificates !== 'boolean') {
    throw new KryptonError(
      400,
      'INVALID_PARAMETER',
      'requestParameters.skipCertificates must be true or false',
    );
  }
  return { thingName, skipCertificates };
}

/** Krypton's provisioning API, identity first, then the group's configuration. */
export function registerProvisioningRoutes(app: FastifyInstance, service: KryptonService): void {
  const base = '/v1/provisioning';

  app.post(`${base}/aws/iot/bootstrap`, async (request) => {
    const body = jsonBody(request);
    const parameters = bootstrapParameters(body);
    const identity = identify(service, request, body);
    return service.bootstrap(identity.imsi, parameters);
  });

  app.post<{ Params: { certificateId: string } }>(
    `${base}/aws/iot/certificates/:certificateId`,
    async (request) => {
      const identity = identify(service, request, jsonBody(request));
      return { certificate: await service.certificateFor(identity.imsi, request.params.certificateId) };
    },
  );

  app.post(`${base}/aws/iot/ca_certificate`, async (request) => {
    const identity = identify(service, request, jsonBody(request));
    return { rootCaCertificate: service.rootCaFor(identity.imsi) };
  });

  app.post(`${base}/soracom/air/subscriber_metadata`, async (request) => {
    const identity = identify(service, request, jsonBody(request));
    service.kryptonConfigFor(identity.imsi);
    const subscriber = service.subscriber(identity.imsi);
    return subscriberMetadata(subscriber, identity, subscriber.sim.group);
  });

  app.post(`${base}/soracom/air/userdata`, async (request, reply) => {
    const identity = identify(service, request, jsonBody(request));
    const config = service.kryptonConfigFor(identity.imsi);
    reply.type('text/plain; charset=utf-8');
    return config.userdata ?? '';
  });
}
