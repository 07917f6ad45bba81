import type { Client, ConnectPacket } from 'aedes';
import mqttPacket, { type IConnackPacket, type Packet } from 'mqtt-packet';
import { appliedKeepAlive, CONNACK_PROPERTIES } from './protocol-limits.js';

/** Sockets whose successful MQTT 5 CONNACK carries AWS's limits. */
const gatewaySockets = new WeakSet<object>();
let installed = false;

type WriteOptions = { protocolVersion?: number } | undefined;

/**
 * aedes builds its CONNACK properties itself and offers no hook to add any, so the gateway adds
 * AWS's Maximum QoS 1 where aedes serializes packets: mqtt-packet's
 * writeToStream, wrapped once per process, touching only successful MQTT 5 CONNACKs written
 * to sockets registered here.
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
