import mqttPacket from 'mqtt-packet';

/**
 * AWS IoT Core's MQTT limits, as AWS documents them, in one place. Sources:
 * - [MQTT] AWS IoT Core developer guide, "MQTT", sections "MQTT 5 supported features", "MQTT 5
 *   properties", "MQTT reason codes" and "AWS IoT differences from MQTT specifications":
 *   https://docs.aws.amazon.com/iot/latest/developerguide/mqtt.html
 * - [QUOTAS] AWS General Reference, "AWS IoT Core endpoints and quotas", message broker and
 *   protocol limits: https://docs.aws.amazon.com/general/latest/gr/iot-core.html#message-broker-limits
 * The retained-message and queued-message quotas, which an account can have raised, are in the
 * quota table (src/quotas/aws-default-quotas.ts) instead.
 */

/** [MQTT] "AWS IoT Core supports MQTT quality of service (QoS) levels 0 and 1 only." */
export const MAXIMUM_QOS = 1;

/** [QUOTAS] Keep-alive: 30 to 1200 seconds; 0 (none) and anything above 1200 get 1200. */
export const KEEP_ALIVE_MIN_SECONDS = 30;
export const KEEP_ALIVE_MAX_SECONDS = 1_200;

/** [QUOTAS] Persistent session expiry period: 3600 s by default (adjustable up to 7 days). */
export const SESSION_EXPIRY_MAX_SECONDS = 3_600;
export const SESSION_EXPIRY_ADJUSTABLE_TO_SECONDS = 7 * 24 * 3_600;

/** [QUOTAS] Payload size: a PUBLISH payload may be at most 128 KB. */
export const MAXIMUM_PAYLOAD_BYTES = 128 * 1_024;

/** [QUOTAS] Unacknowledged QoS 1 messages in flight per connection: 100. */
export const RECEIVE_MAXIMUM = 100;

/**
 * [QUOTAS] "Maximum MQTT5 Topic Alias value": 8; "If the client attempts to publish with Topic
 * Alias topics greater than the maximum value, the client will be disconnected." [MQTT] "AWS IoT
 * Core has a default limit of 8 topic aliases."
 */
export const TOPIC_ALIAS_MAXIMUM = 8;

/**
 * [QUOTAS] "Maximum MQTT5 packet size (variable header and payload)": 146 KB. ([MQTT]'s property
 * table says Maximum Packet Size "Cannot exceed 128 KB"; that reads as the payload limit, since a
 * 128 KB payload needs a larger packet.)
 */
export const MAXIMUM_PACKET_BYTES = 146 * 1_024;

/**
 * [QUOTAS] "Minimum MQTT5 maximum packet size": 512 bytes; "Clients with lower values will not be
 * allowed to connect."
 */
export const MINIMUM_CLIENT_MAXIMUM_PACKET_BYTES = 512;

/** MQTT 5 reason codes the gateway sends for these limits (MQTT 5.0 spec, 2.4). */
export const REASON_QOS_NOT_SUPPORTED = 0x9b;
export const REASON_PACKET_TOO_LARGE = 0x95;
/** [MQTT] PUBACK 0x97 Quota exceeded: "An implementation or administrative imposed limit has been exceeded." */
export const REASON_QUOTA_EXCEEDED = 0x97;
/** [MQTT] DISCONNECT 0xA1: "The server does not support subscription identifiers; the subscription is not accepted." */
export const REASON_SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED = 0xa1;

/**
 * What the gateway adds to an MQTT 5 CONNACK beyond what aedes announces (Receive Maximum, Topic
 * Alias Maximum, Maximum Packet Size, Session Expiry, Server Keep Alive, Assigned Client
 * Identifier). [MQTT] "Subscription Identifier Available ... The default is 0."
 */
export const CONNACK_PROPERTIES = {
  maximumQoS: MAXIMUM_QOS,
  subscriptionIdentifiersAvailable: false,
} as const;

/** Why a subscription breaks a documented limit, with the MQTT 5 DISCONNECT reason code; undefined if it does not. */
export function subscribeViolation(subscription: {
  topic: string;
  qos: number;
  subscriptionIdentifier?: number;
}): { reason: string; reasonCode: number } | undefined {
  if (subscription.qos > MAXIMUM_QOS) {
    return {
      reason: `QoS ${subscription.qos} subscription to ${subscription.topic} is not supported (AWS IoT Core supports QoS 0 and 1)`,
      reasonCode: REASON_QOS_NOT_SUPPORTED,
    };
  }
  if (subscription.subscriptionIdentifier !== undefined) {
    return {
      reason: `subscription identifier on ${subscription.topic} is not supported (AWS IoT Core announces Subscription Identifier Available 0)`,
      reasonCode: REASON_SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED,
    };
  }
  return undefined;
}

/** Why an MQTT 5 CONNECT is refused for its properties; undefined if it is not. */
export function connectPropertiesViolation(
  properties: { maximumPacketSize?: number } | undefined,
): string | undefined {
  const declared = properties?.maximumPacketSize;
  if (declared !== undefined && declared < MINIMUM_CLIENT_MAXIMUM_PACKET_BYTES) {
    return `Maximum Packet Size ${declared} is below the ${MINIMUM_CLIENT_MAXIMUM_PACKET_BYTES}-byte minimum AWS IoT Core allows`;
  }
  return undefined;
}

/**
 * The keep-alive the server applies to a requested one ([QUOTAS]): 0 and values above the
 * maximum become 1200 s, values below 30 s become 30 s.
 */
export function appliedKeepAlive(requestedSeconds: number): number {
  if (requestedSeconds === 0 || requestedSeconds > KEEP_ALIVE_MAX_SECONDS) return KEEP_ALIVE_MAX_SECONDS;
  return Math.max(requestedSeconds, KEEP_ALIVE_MIN_SECONDS);
}

/** Why a PUBLISH breaks a documented limit, with the MQTT 5 DISCONNECT reason code; undefined if it does not. */
export function publishViolation(packet: {
  qos: number;
  payload: Buffer | string;
}): { reason: string; reasonCode: number } | undefined {
  if (packet.qos > MAXIMUM_QOS) {
    return {
      reason: 'QoS 2 is not supported (AWS IoT Core supports QoS 0 and 1)',
      reasonCode: REASON_QOS_NOT_SUPPORTED,
    };
  }
  const size = Buffer.byteLength(packet.payload);
  if (size > MAXIMUM_PAYLOAD_BYTES) {
    return {
      reason: `payload of ${size} bytes is over the ${MAXIMUM_PAYLOAD_BYTES}-byte (128 KB) limit`,
      reasonCode: REASON_PACKET_TOO_LARGE,
    };
  }
  return undefined;
}

/**
 * The reason to report when aedes closes a connection for a protocol limit it enforces itself:
 * a topic alias out of range or unknown, or a packet over Maximum Packet Size. Undefined for
 * other client errors (a denied MQTT 5 publish keeps its connection).
 */
export function protocolViolationReason(error: Error & { size?: number }): string | undefined {
  if (/topic alias/.test(error.message)) return error.message;
  if (error.message === 'packet too large') {
    return `packet of ${error.size} bytes is over the ${MAXIMUM_PACKET_BYTES}-byte (146 KB) Maximum Packet Size`;
  }
  return undefined;
}

/**
 * Whether a PUBLISH would be larger than the Maximum Packet Size the receiving client declared:
 * MQTT 5.0 (3.1.2.11.4) has the server discard it rather than send it. [MQTT] Maximum Packet
 * Size is "The maximum packet size that AWS IoT Core accepts and sends".
 */
export function exceedsClientMaximum(
  declaredBytes: number | undefined,
  packet: { topic: string; payload: Buffer | string; qos: number; retain: boolean; properties?: object },
): boolean {
  if (declaredBytes === undefined) return false;
  if (Buffer.byteLength(packet.payload) > declaredBytes) return true;
  const { topic, payload, qos, retain, properties } = packet;
  const wire = mqttPacket.generate(
    {
      cmd: 'publish',
      topic,
      payload,
      qos: qos as 0 | 1,
      retain,
      dup: false,
      messageId: qos > 0 ? 1 : undefined,
      properties,
    },
    { protocolVersion: 5 },
  );
  return wire.length > declaredBytes;
}
