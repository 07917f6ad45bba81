import type { FastifyInstance } from 'fastify';
import { KryptonError } from './errors.js';
import type { KryptonService } from './krypton-service.js';
import { base64Field, imsiField, jsonBody } from './request-body.js';
import type { Challenge } from './sim-keys.js';

function challengeBody(challenge: Challenge) {
  return {
    keyId: challenge.keyId,
    rand: challenge.rand.toString('base64'),
    autn: challenge.autn.toString('base64'),
  };
}

/** SORACOM's SIM keys API: AKA over HTTPS, for devices off the cellular network. */
export function registerKeysRoutes(app: FastifyInstance, service: KryptonService): void {
  app.post('/v1/keys', async (request) => {
    const body = jsonBody(request);
    const imsi = imsiField(body);
    if (body.auts === undefined && body.rand === undefined)
      return challengeBody(service.keys.challenge(imsi));
    const rand = base64Field(body, 'rand', 16);
    const auts = base64Field(body, 'auts', 14);
    return challengeBody(service.keys.resync(imsi, rand, auts));
  });

  app.post<{ Params: { keyId: string } }>('/v1/keys/:keyId/verify', async (request) => {
    const body = jsonBody(request);
    const field = body.res !== undefined ? 'res' : body.xres !== undefined ? 'xres' : undefined;
    if (!field)
      throw new KryptonError(
        400,
        'INVALID_PARAMETER',
        'send the SIM\'s response as "res" (or "xres"), base64',
      );
    const verified = service.keys.verify(request.params.keyId, base64Field(body, field, 8));
    return { keyId: verified.keyId, imsi: verified.imsi, ck: verified.ck.toString('base64') };
  });
}
