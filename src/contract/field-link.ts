import type { ConnectionOptions, TLSSocket } from 'node:tls';

/** tls.connect options plus where to connect: the TCP connection is the link's to open. */
export interface FieldTlsOptions extends Omit<ConnectionOptions, 'socket' | 'host' | 'port'> {
  host: string;
  port: number;
  /** Source address (a SIM's cellular session address). */
  localAddress?: string;
}

/**
 * The radio link a device reaches AWS through, as the scenario contract hands it to device
 * code (`ctx.link`): every connection a device opens in the field goes through it.
 */
export interface FieldLink {
  /** The network profile's name (`none`: loopback as it is). */
  readonly profile: string;
  /** Opens TCP to host:port over the link, then TLS on top (`tls.connect` options). */
  connectTls(options: FieldTlsOptions): TLSSocket;
  /** Counts one MQTT PUBLISH sent or received, for messaging figures. */
  countMqttPublish(payloadBytes: number): void;
}
