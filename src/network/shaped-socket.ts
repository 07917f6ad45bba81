import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** TCP's payload per packet on a 1500-byte MTU path (for the chance that a chunk loses one). */
const SEGMENT_BYTES = 1460;

/**
 * A chunk due less than this far ahead is delivered at once: Node's timers count whole
 * milliseconds, so a timer would deliver it up to a millisecond late at the cost of a timer per
 * chunk. Pacing still accumulates on the lane's own clock, so no byte arrives more than this
 * much before its time (the error does not add up over chunks).
 */
export const DUE_SLACK_MS = 0.05;

/** What one direction of the link does to the bytes crossing it. */
export interface LaneShape {
  /** One-way delay of the next chunk, ms (half a round-trip sample). */
  oneWayMs: () => number;
  /** Serialisation rate in kilobits per second; null: not limited. */
  kbps: number | null;
  /** Probability that a packet is lost. */
  packetLoss: number;
  /** What a loss costs: one retransmission timeout, ms. */
  rtoMs: number;
  uniform: () => number;
}

type WriteCallback = (error: Error | null | undefined) => void;

interface Pending {
  at: number;
  chunk: Buffer | null;
}

/**
 * One direction of a link: chunks leave in order, each after the previous one finished
 * serialising at the lane's rate, and arrive one one-way delay later (plus an RTO when a packet
 * of the chunk is lost); a chunk never overtakes the one before it.
 */
export class Lane {
  private busyUntil: number;
  private lastArrival = 0;
  private readonly queue: Pending[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly shape: LaneShape,
    private readonly deliver: (chunk: Buffer | null) => void,
    notBefore: number,
  ) {
    this.busyUntil = notBefore;
  }

  /** Schedules `chunk` (null: end of stream) and returns when it will arrive. */
  send(chunk: Buffer | null): number {
    const now = performance.now();
    const start = Math.max(now, this.busyUntil);
    const bytes = chunk?.length ?? 0;
    const serialiseMs = this.shape.kbps === null ? 0 : (bytes * 8) / this.shape.kbps;
    this.busyUntil = start + serialiseMs;
    let at = this.busyUntil + this.shape.oneWayMs();
    if (this.shape.packetLoss > 0 && bytes > 0) {
      const packets = Math.ceil(bytes / SEGMENT_BYTES);
      const anyLost = 1 - (1 - this.shape.packetLoss) ** packets;
      if (this.shape.uniform() < anyLost) at += this.shape.rtoMs;
    }
    at = Math.max(at, this.lastArrival);
    this.lastArrival = at;
    if (this.head === this.queue.length && at <= now + DUE_SLACK_MS) {
      this.deliver(chunk);
      return at;
    }
    this.queue.push({ at, chunk });
    this.arm();
    return at;
  }

  /** When everything sent so far will have arrived. */
  get drainedAt(): number {
    return Math.max(this.lastArrival, performance.now());
  }

  get idle(): boolean {
    return this.head === this.queue.length;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.head = 0;
  }

  private arm(): void {
    if (this.timer || this.stopped) return;
    const next = this.queue[this.head];
    if (!next) return;
    // Timers may fire up to a millisecond early: flush re-arms until the arrival time has passed.
    this.timer = setTimeout(() => this.flush(), Math.max(0, Math.ceil(next.at - performance.now())));
  }

  private flush(): void {
    this.timer = undefined;
    const now = performance.now();
    while (!this.stopped && this.head < this.queue.length) {
      const next = this.queue[this.head] as Pending;
      if (next.at > now + DUE_SLACK_MS) break;
      this.head++;
      this.deliver(next.chunk);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    this.arm();
  }
}

export interface ShapedSocketOptions {
  up: LaneShape;
  down: LaneShape;
  /** performance.now() before which no byte leaves the device (radio setup, TCP handshake). */
  firstByteAt: number;
}

/**
 * A Duplex between a device's TCP socket and its TLS (`tls.connect({ socket })`): what TLS
 * writes reaches the TCP socket after the uplink's pacing and delay, what the TCP socket
 * receives reaches TLS after the downlink's. Counts bytes as the device sees them on the wire.
 */
export class ShapedSocket extends Duplex {
  bytesSent = 0;
  bytesReceived = 0;
  private readonly up: Lane;
  private readonly down: Lane;
  private destroyWhenDrained = false;
  private wireCorked = false;

  constructor(
    private readonly tcp: Socket,
    options: ShapedSocketOptions,
  ) {
    super({ allowHalfOpen: false });
    this.up = new Lane(
      options.up,
      (chunk) => {
        if (chunk === null) this.tcp.end();
        else this.writeWire(chunk);
        if (this.destroyWhenDrained && this.up.idle) this.closeTcpWhenFlushed();
      },
      options.firstByteAt,
    );
    this.down = new Lane(
      options.down,
      (chunk) => {
        // Bytes in flight when the device closed still reach its radio (and a SIM plan bills them).
        if (chunk !== null) this.bytesReceived += chunk.length;
        if (this.destroyed) return;
        // Flowing with nothing buffered, a chunk goes straight to the reader (TLS): push() would
        // emit the same 'data' event and then schedule a read-ahead the link has no use for.
        if (chunk !== null && this.readableFlowing === true && this.readableLength === 0) {
          this.emit('data', chunk);
        } else {
          this.push(chunk);
        }
      },
      0,
    );
    tcp.on('data', (chunk: Buffer) => this.down.send(chunk));
    tcp.on('end', () => this.down.send(null));
    tcp.on('error', (error) => {
      // A reset arrives after the bytes sent before it.
      const delayMs = Math.ceil(this.down.drainedAt - performance.now()) + 1;
      setTimeout(() => this.destroy(error), delayMs);
    });
    tcp.on('close', (hadError: boolean) => {
      // After an error the error itself ends the stream (a refused connect stays ECONNREFUSED).
      if (hadError) return;
      if (!this.destroyWhenDrained && !this.destroyed && this.down.idle) this.push(null);
    });
  }

  /**
   * Chunks that arrive in the same tick (TLS writes a flight as several records) leave in one
   * write, as they would from TLS on a native socket: with Nagle off, each would else be a
   * segment and a system call of its own.
   */
  private writeWire(chunk: Buffer): void {
    if (!this.wireCorked) {
      this.wireCorked = true;
      this.tcp.cork();
      process.nextTick(this.uncorkWire);
    }
    this.tcp.write(chunk);
  }

  private readonly uncorkWire = (): void => {
    this.wireCorked = false;
    this.tcp.uncork();
  };

  /** Ends the TCP socket once what was written left it, then closes it. */
  private closeTcpWhenFlushed(): void {
    if (this.tcp.writableFinished) this.tcp.destroy();
    else this.tcp.end(() => this.tcp.destroy());
  }

  /**
   * A Buffer goes straight onto the uplink: the lane is the write queue, so the Writable
   * machinery in front of it (TLS's own stream wrapper already has one) would only cost CPU on
   * every TLS record. As net.Socket does, a write after the peer ended fails with EPIPE (the
   * broker closed).
   */
  override write(
    chunk: unknown,
    encoding?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean {
    const done = typeof encoding === 'function' ? encoding : callback;
    if (!this.writableEnded && !this.destroyed && Buffer.isBuffer(chunk)) {
      this.bytesSent += chunk.length;
      this.up.send(chunk);
      if (done) process.nextTick(done, null);
      return true;
    }
    if (!this.writableEnded) return super.write(chunk, encoding as BufferEncoding, callback);
    const error = Object.assign(new Error('This socket has been ended by the other party'), {
      code: 'EPIPE',
    });
    if (done) process.nextTick(done, error);
    this.destroy(error);
    return false;
  }

  override _read(): void {
    // Bytes are pushed as the downlink delivers them.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytesSent += chunk.length;
    this.up.send(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.up.send(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (error) this.down.stop();
    if (error || this.up.idle) {
      this.up.stop();
      this.tcp.destroy();
    } else {
      // What the device already sent is on its way (a DISCONNECT, a close_notify): let it arrive.
      this.destroyWhenDrained = true;
    }
    callback(error);
  }
}
