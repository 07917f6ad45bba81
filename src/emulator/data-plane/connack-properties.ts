import mqttPacket, { type IConnackPacket, type Packet } from 'mqtt-packet';
import { CONNACK_PROPERTIES } from './protocol-limits.js';

/** Sockets whose successful MQTT 5 CONNACK carries AWS's limits. */
const gatewaySockets = new WeakSet<object>();
let installed = false;

type WriteOptions = { protocolVersion?: number } | undefined;

/**
 * aedes builds its CONNACK properties itself and offers no hook to add any, so the gateway adds
 * AWS's (Maximum QoS 1, Receive Maximum 100) where aedes serializes packets: mqtt-packet's
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
