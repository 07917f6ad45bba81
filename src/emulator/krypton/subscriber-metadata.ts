import type { KryptonCaller } from './krypton-service.js';
import type { Subscriber } from './subscribers.js';

/** The Subscriber object SORACOM's metadata service and `/soracom/air/subscriber_metadata` return. */
export function subscriberMetadata(subscriber: Subscriber, identity: KryptonCaller, groupId: string) {
  const { sim } = subscriber;
  const session = identity.via === 'cellular' ? identity.session : undefined;
  return {
    operatorId: 'OP0000000000',
    imsi: sim.imsi,
    msisdn: sim.msisdn,
    iccid: sim.iccid,
    simId: sim.simId ?? sim.iccid,
    groupId,
    status: 'active',
    subscription: 'plan01s',
    speedClass: 's1.standard',
    moduleType: 'virtual',
    apn: 'soracom.io',
    ipAddress: session?.address ?? null,
    tags: {},
    createdAt: subscriber.createdAt,
    lastModifiedAt: subscriber.createdAt,
    expiredAt: null,
    terminationEnabled: false,
    sessionStatus: {
      online: session !== undefined,
      imsi: sim.imsi,
      imei: sim.imei,
      ueIpAddress: session?.address ?? null,
      sessionId: session?.sessionId ?? null,
      dnsServers: ['100.127.0.53', '100.127.1.53'],
      lastUpdatedAt: session?.attachedAt ?? null,
      location: null,
    },
  };
}
