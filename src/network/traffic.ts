/** What one device did on its field link, in total or within one phase. */
export interface TrafficCounts {
  /** Bytes the device sent on the wire (TCP payload: TLS records, below TLS). */
  bytesSent: number;
  /** Bytes the device received on the wire. */
  bytesReceived: number;
  /** TCP connections opened. */
  connections: number;
  /** TLS handshakes completed. */
  tlsHandshakes: number;
  /** Time connections were open, summed over connections (AWS bills connection time). */
  connectedMs: number;
  /** MQTT PUBLISH packets sent and received. */
  mqttMessages: number;
  /** AWS IoT Core's messaging meter: each PUBLISH counts one unit per started 5 KB of payload. */
  mqttBilledUnits: number;
}

export const TRAFFIC_METRICS = [
  'bytesSent',
  'bytesReceived',
  'connections',
  'tlsHandshakes',
  'connectedMs',
  'mqttMessages',
  'mqttBilledUnits',
] as const satisfies readonly (keyof TrafficCounts)[];

export interface DeviceTrafficReport {
  device: TrafficCounts;
  /** Per phase the device had link activity in (innermost `ctx.phase` at the time). */
  phases: Record<string, TrafficCounts>;
}

/** AWS IoT Core meters messages in 5 KB increments (aws.amazon.com/iot-core/pricing). */
export const MQTT_BILLING_UNIT_BYTES = 5 * 1024;

/** Bytes and counts outside any named phase (e.g. the MQTT DISCONNECT after the last publish). */
export const BETWEEN_PHASES = 'between-phases';

export function emptyCounts(): TrafficCounts {
  return {
    bytesSent: 0,
    bytesReceived: 0,
    connections: 0,
    tlsHandshakes: 0,
    connectedMs: 0,
    mqttMessages: 0,
    mqttBilledUnits: 0,
  };
}

/** Counters a connection exposes (the shaped socket's, or the raw TCP socket's). */
export interface WireCounters {
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

interface OpenConnection {
  counters: WireCounters;
  sent: number;
  received: number;
}

/**
 * One device's traffic, attributed to the phase running when it happened: byte deltas and
 * connection time are settled at every phase change, connection open/close and at the end.
 */
export class DeviceTraffic {
  private readonly total = emptyCounts();
  private readonly byPhase = new Map<string, TrafficCounts>();
  private readonly stack: string[] = [];
  private readonly open = new Set<OpenConnection>();
  private settledAt = performance.now();
  private finished = false;

  enterPhase(name: string): void {
    this.settle();
    this.stack.push(name);
  }

  exitPhase(name: string): void {
    this.settle();
    const at = this.stack.lastIndexOf(name);
    if (at >= 0) this.stack.splice(at, 1);
  }

  /** A connection opened; returns the handle to pass to `closed`. */
  opened(counters: WireCounters): object {
    this.settle();
    const connection: OpenConnection = {
      counters,
      sent: counters.bytesSent,
      received: counters.bytesReceived,
    };
    if (this.finished) return connection;
    this.open.add(connection);
    this.add('connections', 1);
    return connection;
  }

  closed(handle: object): void {
    this.settle();
    this.open.delete(handle as OpenConnection);
  }

  tlsHandshake(): void {
    if (!this.finished) this.add('tlsHandshakes', 1);
  }

  mqttPublish(payloadBytes: number): void {
    if (this.finished) return;
    this.add('mqttMessages', 1);
    this.add('mqttBilledUnits', Math.max(1, Math.ceil(payloadBytes / MQTT_BILLING_UNIT_BYTES)));
  }

  /** Settles what is still open and stops counting: what happens after belongs to no device. */
  finish(): DeviceTrafficReport {
    this.settle();
    this.finished = true;
    this.open.clear();
    return {
      device: { ...this.total },
      phases: Object.fromEntries([...this.byPhase].map(([name, counts]) => [name, { ...counts }])),
    };
  }

  private current(): TrafficCounts {
    const name = this.stack.at(-1) ?? BETWEEN_PHASES;
    let counts = this.byPhase.get(name);
    if (!counts) {
      counts = emptyCounts();
      this.byPhase.set(name, counts);
    }
    return counts;
  }

  private add(metric: keyof TrafficCounts, amount: number): void {
    if (amount === 0) return;
    this.total[metric] += amount;
    this.current()[metric] += amount;
  }

  private settle(): void {
    const now = performance.now();
    if (this.finished) {
      this.settledAt = now;
      return;
    }
    for (const connection of this.open) {
      const { bytesSent, bytesReceived } = connection.counters;
      this.add('bytesSent', bytesSent - connection.sent);
      this.add('bytesReceived', bytesReceived - connection.received);
      connection.sent = bytesSent;
      connection.received = bytesReceived;
    }
    this.add('connectedMs', (now - this.settledAt) * this.open.size);
    this.settledAt = now;
  }
}
