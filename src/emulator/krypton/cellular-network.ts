import { randomUUID } from 'node:crypto';
import { isIPv4 } from 'node:net';

/** One SIM's data session, as the packet gateway sees it. */
export interface CellularSession {
  imsi: string;
  /** The device's address; always inside 127.0.0.0/8, never 127.0.0.0/16. */
  address: string;
  sessionId: string;
  attachedAt: number;
}

/** Session addresses come from 127.16.0.0 - 127.255.255.255, leaving 127.0.x.x (127.0.0.1, resolvers) alone. */
const FIRST_ADDRESS = (127 << 24) | (16 << 16);
const LAST_ADDRESS = (127 << 24) | 0xffffff;

function addressToString(value: number): string {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}

/** Strips the IPv4-mapped prefix a dual-stack listener reports (`::ffff:127.16.0.5`). */
export function normaliseAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export class CellularNetworkError extends Error {
  override readonly name = 'CellularNetworkError';
}

/**
 * The simulated cellular network: attach gives a SIM a session address on loopback, the session
 * table maps that address back to the IMSI, detach ends the session. Linux routes all of
 * 127.0.0.0/8 to lo, so a device binds its sockets to its address (`localAddress`) and the
 * server learns the SIM from the peer address, as SORACOM's network does.
 */
export class CellularNetwork {
  private readonly byAddress = new Map<string, CellularSession>();
  private readonly byImsi = new Map<string, CellularSession>();
  private cursor = FIRST_ADDRESS;

  /** Attaching an attached SIM returns its live session unchanged. */
  attach(imsi: string): CellularSession {
    const live = this.byImsi.get(imsi);
    if (live) return live;
    const session: CellularSession = {
      imsi,
      address: this.allocateAddress(),
      sessionId: randomUUID(),
      attachedAt: Date.now(),
    };
    this.byAddress.set(session.address, session);
    this.byImsi.set(imsi, session);
    return session;
  }

  /** Ends the SIM's session; false when it had none. Its address is not reused until the pool wraps. */
  detach(imsi: string): boolean {
    const session = this.byImsi.get(imsi);
    if (!session) return false;
    this.byImsi.delete(imsi);
    this.byAddress.delete(session.address);
    return true;
  }

  sessionByAddress(address: string | undefined): CellularSession | undefined {
    const normalised = normaliseAddress(address);
    return normalised ? this.byAddress.get(normalised) : undefined;
  }

  sessionByImsi(imsi: string): CellularSession | undefined {
    return this.byImsi.get(imsi);
  }

  get sessionCount(): number {
    return this.byImsi.size;
  }

  private allocateAddress(): string {
    const poolSize = LAST_ADDRESS - FIRST_ADDRESS + 1;
    for (let tries = 0; tries < poolSize; tries++) {
      const candidate = this.cursor;
      this.cursor = candidate >= LAST_ADDRESS ? FIRST_ADDRESS : candidate + 1;
      const lastOctet = candidate & 0xff;
      if (lastOctet === 0 || lastOctet === 255) continue;
      const address = addressToString(candidate);
      if (!this.byAddress.has(address)) return address;
    }
    throw new CellularNetworkError(
      'no free session address in 127.16.0.0-127.255.255.255: detach SIMs first',
    );
  }
}

export function isSessionAddress(address: string): boolean {
  if (!isIPv4(address)) return false;
  const [first, second] = address.split('.').map(Number);
  return first === 127 && (second ?? 0) >= 16;
}
