import type { Client, ConnectPacket, PublishPacket } from 'aedes';
import mqttPacket, { type IConnackPacket, type IPubackPacket, type Packet } from 'mqtt-packet';
import { appliedKeepAlive, CONNACK_PROPERTIES, REASON_QUOTA_EXCEEDED } from './protocol-limits.js';

/** Sockets whose successful MQTT 5 CONNACK carries AWS's limits. */
const gatewaySockets = new WeakSet<object>();
/** PUBACK reason codes to send in place of aedes's 0x87, by socket and packet identifier. */
const pubackReasonCodes = new WeakMap<object, Map<number, number>>();
let installed = false;

type WriteOptions = { protocolVersion?: number } | undefined;

/**
 * aedes builds its CONNACK properties and its refusing PUBACKs itself and offers no hook to change
 * them, so the gateway does where aedes serializes packets: mqtt-packet's writeToStream, wrapped
 * once per process, touching only successful MQTT 5 CONNACKs (AWS's Maximum QoS 1, Subscription
 * Identifier Available 0) and PUBACKs registered by `refuseForQuota`, written to sockets
 * registered here.
 */
export function announceLimitsOn(socket: object): void {
  gatewaySockets.add(socket);
  if (installed) return;
  installed = true;
  const original = mqttPacket.writeToStream;
  const wrapped = (packet: Packet, stream: NodeJS.WritableStream, options?: WriteOptions) => {
    if (packet.cmd === 'connack' && options?.protocolVersion === 5 && gatewaySockets.has(stream)) {
      const connack = packet as IConnackPacket;
      if ((connack.reasonCode ?? connack.returnCode ?? 0) === 0) {
        connack.properties = { ...connack.properties, ...CONNACK_PROPERTIES };
      }
    }
    if (packet.cmd === 'puback') {
      const puback = packet as IPubackPacket;
      const codes = pubackReasonCodes.get(stream);
      const reasonCode = puback.messageId === undefined ? undefined : codes?.get(puback.messageId);
      if (reasonCode !== undefined) {
        codes?.delete(puback.messageId as number);
        puback.reasonCode = reasonCode;
      }
    }
    return original(packet, stream, options as never);
  };
  mqttPacket.writeToStream = Object.assign(wrapped, { cacheNumbers: original.cacheNumbers });
}

/**
 * AWS's keep-alive range (30-1200 s; 0 means 1200): the broker times the connection by the
 * applied value, and an MQTT 5 client is told it in the CONNACK's Server Keep Alive.
 */
export function applyKeepAliveLimits(client: Client, packet: ConnectPacket): void {
  const applied = appliedKeepAlive(packet.keepalive ?? 0);
  if (applied === packet.keepalive) return;
  packet.keepalive = applied;
  // aedes sends Server Keep Alive for what it stores here (it sets it only for its own limit).
  if (packet.protocolVersion === 5)
    (client as Client & { _serverKeepAlive?: number })._serverKeepAlive = applied;
}

/**
 * A PUBLISH the broker throttles: MQTT 5 QoS 1 is answered PUBACK 0x97 (Quota exceeded) with the
 * reason; MQTT 5 QoS 0 and MQTT 3.1.1 are discarded without an answer. The connection stays open
 * and nothing is stored or delivered.
 */
export function refuseForQuota(
  client: Client,
  packet: PublishPacket,
  reason: string,
  callback: (error?: Error | null) => void,
): void {
  if (client.version !== 5) {
    // aedes closes a 3.1.1 connection on an authorization error; this flag (the one aedes sets for
    // a refused MQTT 5 publish) makes it skip the PUBACK and the delivery instead.
    (packet as PublishPacket & { _notAuthorized?: boolean })._notAuthorized = true;
    callback(null);
    return;
  }
  if (packet.qos === 1 && packet.messageId !== undefined) {
    const codes = pubackReasonCodes.get(client.conn) ?? new Map<number, number>();
    codes.set(packet.messageId, REASON_QUOTA_EXCEEDED);
    pubackReasonCodes.set(client.conn, codes);
  }
  callback(new Error(reason));
}
