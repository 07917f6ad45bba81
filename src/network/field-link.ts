import { type NetConnectOpts, connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { FieldLink, FieldTlsOptions } from '../contract/field-link.js';
import { isTransparent, type NetworkProfile } from './profile.js';
import { lognormalSampler, mixSeed, uniformSource } from './random.js';
import { type LaneShape, ShapedSocket } from './shaped-socket.js';

export type { FieldLink, FieldTlsOptions } from '../contract/field-link.js';

import { DeviceTraffic, type DeviceTrafficReport, type WireCounters } from './traffic.js';

/** The factory's and operator's network: plain sockets, nothing shaped or counted. */
export const WIRED_LINK: FieldLink = {
  profile: 'wired',
  connectTls(options) {
    const { host, port, localAddress, ...tls } = options;
    return tlsConnect({ ...tls, host, port, ...(localAddress ? { localAddress } : {}) });
  },
  countMqttPublish() {},
};

/**
 * The TCP socket under a device's connection. Shaped, it must not answer the peer's FIN itself
 * (bytes still crossing the uplink go first, then the link's own end), nor hold a small write
 * back until the previous one is acknowledged (Nagle): the lanes already time every chunk, and
 * TLS hands the wire one record in several writes, so Nagle with delayed ACKs would add tens of
 * milliseconds the profile does not have.
 */
export function wireSocketOptions(
  target: { host: string; port: number; localAddress?: string },
  shaped: boolean,
): NetConnectOpts {
  const { host, port, localAddress } = target;
  return {
    host,
    port,
    allowHalfOpen: shaped,
    noDelay: shaped,
    ...(localAddress ? { localAddress } : {}),
  };
}

/**
 * RFC 6298's retransmission timeout: SRTT + 4 x RTTVAR, at least 1 s. The p95's distance from
 * the median stands in for the RTT's mean deviation.
 */
export function retransmissionTimeoutMs(profile: NetworkProfile): number {
  return Math.max(1_000, profile.rttMs.median + 4 * (profile.rttMs.p95 - profile.rttMs.median));
}

/**
 * One device's field link: shapes each connection per the profile (seeded by the run's seed,
 * the device index and the connection's number, so the same seed gives the same link) and
 * counts its traffic per phase. The radio's idle-to-connected time is paid once, before the
 * device's first packet.
 */
export class DeviceLink implements FieldLink {
  readonly traffic = new DeviceTraffic();
  private connectionCount = 0;
  private readonly shaped: boolean;
  private readonly rtoMs: number;

  constructor(
    private readonly network: NetworkProfile,
    private readonly seed: number,
    private readonly deviceIndex: number,
  ) {
    this.shaped = !isTransparent(network);
    this.rtoMs = retransmissionTimeoutMs(network);
  }

  get profile(): string {
    return this.network.name;
  }

  connectTls(options: FieldTlsOptions): TLSSocket {
    const { host, port, localAddress, ...tls } = options;
    const { wire, handle } = this.openWire({ host, port, localAddress });
    const socket = tlsConnect({ ...tls, socket: wire });
    socket.once('secureConnect', () => this.traffic.tlsHandshake());
    socket.once('close', () => this.traffic.closed(handle));
    return socket;
  }

  /**
   * A TCP connection over the link, for a client that runs its own TLS on top (a load tool):
   * shaped and counted like `connectTls`'s, but no handshake is counted.
   */
  connectWire(options: { host: string; port: number; localAddress?: string }): Duplex {
    const { wire, handle } = this.openWire(options);
    wire.once('close', () => this.traffic.closed(handle));
    return wire;
  }

  private openWire(options: { host: string; port: number; localAddress?: string }): {
    wire: Duplex;
    handle: object;
  } {
    const tcp = netConnect(wireSocketOptions(options, this.shaped));
    if (this.shaped) {
      const wire = this.shapedSocket(tcp);
      return { wire, handle: this.traffic.opened(wire) };
    }
    const counters: WireCounters = {
      get bytesSent() {
        return tcp.bytesWritten;
      },
      get bytesReceived() {
        return tcp.bytesRead;
      },
    };
    return { wire: tcp, handle: this.traffic.opened(counters) };
  }

  countMqttPublish(payloadBytes: number): void {
    this.traffic.mqttPublish(payloadBytes);
  }

  finish(): DeviceTrafficReport {
    return this.traffic.finish();
  }

  private shapedSocket(tcp: ReturnType<typeof netConnect>): ShapedSocket {
    const shapes = this.shapesFor(this.connectionCount++);
    return new ShapedSocket(tcp, {
      up: shapes.up,
      down: shapes.down,
      firstByteAt: performance.now() + shapes.firstByteDelayMs,
    });
  }

  /**
   * The link as connection number `connection` of this device sees it: each direction's seeded
   * samples, and the delay before its first byte (the radio's setup on the device's first
   * connection, then TCP's SYN and SYN-ACK).
   */
  shapesFor(connection: number): { up: LaneShape; down: LaneShape; firstByteDelayMs: number } {
    const lane = (direction: number): LaneShape => {
      const uniform = uniformSource(mixSeed(this.seed, this.deviceIndex, connection, direction));
      const rtt = lognormalSampler(this.network.rttMs.median, this.network.rttMs.p95, uniform);
      return {
        oneWayMs: () => rtt() / 2,
        kbps: direction === 0 ? this.network.uplinkKbps : this.network.downlinkKbps,
        packetLoss: this.network.packetLoss,
        rtoMs: this.rtoMs,
        uniform,
      };
    };
    const up = lane(0);
    const down = lane(1);
    const radioMs = connection === 0 ? this.network.radioSetupMs : 0;
    return { up, down, firstByteDelayMs: radioMs + up.oneWayMs() + down.oneWayMs() };
  }
}
