import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { type ConnectionOptions, type PeerCertificate, TLSSocket } from 'node:tls';

/**
 * After OpenSSL has verified the server's chain, Node's TLS client fetches that whole chain as
 * JS objects (every certificate with its fingerprints and key, plus the root from the trust
 * store: about half a millisecond on a 2-core machine) only to match the host name against the
 * leaf. This hands the name check the leaf alone (all `checkServerIdentity` reads), for the
 * handshake only: chain verification and the name check itself are unchanged.
 */
export function checkServerNameOnLeafOnly(socket: TLSSocket): void {
  const leafOnly = (): PeerCertificate => TLSSocket.prototype.getPeerCertificate.call(socket, false);
  Object.defineProperty(socket, 'getPeerCertificate', {
    value: leafOnly,
    configurable: true,
    writable: true,
  });
  const restore = (): void => {
    Reflect.deleteProperty(socket, 'getPeerCertificate');
  };
  socket.once('secureConnect', restore);
  socket.once('close', restore);
}

type CreateConnection = (options: object, callback?: (error: Error | null, socket: Duplex) => void) => Duplex;

/** Opens a TLS connection another way than tls.connect (e.g. over a device's field link). */
export type ConnectTls = (
  options: ConnectionOptions & { host: string; port: number; localAddress?: string },
) => TLSSocket;

/**
 * An HTTPS agent whose sockets check the server name on the leaf only (see above); with
 * `connectTls`, its connections are opened by that function instead of tls.connect.
 */
export class LeafNameCheckAgent extends Agent {
  constructor(options?: AgentOptions, connectTls?: ConnectTls) {
    super(options);
    const create = (Agent.prototype as unknown as { createConnection: CreateConnection }).createConnection;
    (this as unknown as { createConnection: CreateConnection }).createConnection = (options, callback) => {
      const socket = connectTls
        ? connectTls(options as ConnectionOptions & { host: string; port: number })
        : create.call(this, options, callback);
      if (socket instanceof TLSSocket) checkServerNameOnLeafOnly(socket);
      return socket;
    };
  }
}
