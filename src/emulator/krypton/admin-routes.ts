import type { FastifyInstance } from 'fastify';
import { fleetSchema, withoutSecrets } from '../../sim/sim-record.js';
import { KryptonError } from './errors.js';
import { redactGroupConfig } from './group-config.js';
import type { KryptonService } from './krypton-service.js';
import { jsonValue } from './request-body.js';

/**
 * Harness-only endpoints under /_emulator: add SIMs, attach/detach them to the simulated cellular
 * network, configure groups. Refused from cellular session addresses, so a device cannot use them.
 */
export function registerAdminRoutes(app: FastifyInstance, service: KryptonService): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/_emulator/')) return;
    if (service.network.sessionByAddress(request.socket.remoteAddress)) {
      throw new KryptonError(
        403,
        'ADMIN_FROM_DEVICE',
        'emulator admin endpoints are not reachable from a cellular session',
      );
    }
  });

  // A whole fleet may be added at once; device-facing routes keep the small default limit.
  app.post('/_emulator/sims', { bodyLimit: 256 * 1024 * 1024 }, async (request) => {
    const body = jsonValue(request);
    const parsed = fleetSchema.safeParse(Array.isArray(body) ? body : [body]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new KryptonError(
        400,
        'INVALID_PARAMETER',
        `invalid SIM at [${issue?.path.join('.')}]: ${issue?.message}`,
      );
    }
    const counts = service.subscribers.upsert(parsed.data);
    return { ...counts, total: service.subscribers.size };
  });

  app.get<{ Params: { imsi: string } }>('/_emulator/sims/:imsi', async (request) => {
    const subscriber = service.subscriber(request.params.imsi);
    return {
      sim: withoutSecrets(subscriber.sim),
      session: service.network.sessionByImsi(subscriber.sim.imsi) ?? null,
      certificates: service.certificatesOf(subscriber.sim.imsi),
    };
  });

  app.post<{ Params: { imsi: string } }>('/_emulator/sims/:imsi/attach', async (request) => {
    const subscriber = service.subscriber(request.params.imsi);
    return service.network.attach(subscriber.sim.imsi);
  });

  app.post<{ Params: { imsi: string } }>('/_emulator/sims/:imsi/detach', async (request) => {
    const subscriber = service.subscriber(request.params.imsi);
    return { imsi: subscriber.sim.imsi, detached: service.network.detach(subscriber.sim.imsi) };
  });

  app.put<{ Params: { group: string } }>(
    '/_emulator/groups/:group/configuration/SoracomKrypton',
    async (request) => {
      return redactGroupConfig(service.configureGroup(request.params.group, jsonValue(request) ?? {}));
    },
  );

  app.get<{ Params: { group: string } }>('/_emulator/groups/:group/configuration', async (request) => {
    const config = service.groupConfig(request.params.group);
    if (!config)
      throw new KryptonError(404, 'GROUP_NOT_FOUND', `group ${request.params.group} has no configuration`);
    return redactGroupConfig(config);
  });

  app.get('/_emulator/krypton/orphans', async () => ({ orphans: service.provisioner.orphans }));

  app.get('/_emulator/krypton/stats', async () => ({
    subscribers: service.subscribers.size,
    sessions: service.network.sessionCount,
    bootstraps: service.bootstrapCount,
    keys: service.keys.size,
  }));
}
