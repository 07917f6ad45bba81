import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { DeviceLink } from './field-link.js';
import type { NetworkProfile } from './profile.js';

export interface LinkProxy {
  /** Loopback port that forwards to the target over the field link. */
  port: number;
  close(): Promise<void>;
}

/**
 * A loopback TCP forwarder for clients that open their own sockets (a load tool): each accepted
 * connection reaches `target` over a field link of its own (connection n is device n of the
 * seed), so TLS stays end to end between the client and the service and the link sits under it.
 */
export async function startLinkProxy(
  target: { host: string; port: number },
  network: NetworkProfile,
  seed: number,
): Promise<LinkProxy> {
  let connection = 0;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    open.add(client);
    const wire = new DeviceLink(network, seed, connection++).connectWire(target);
    client.pipe(wire);
    wire.pipe(client);
    const closeBoth = () => {
      client.destroy();
      wire.destroy();
    };
    client.on('error', closeBoth);
    wire.on('error', closeBoth);
    client.on('close', () => {
      open.delete(client);
      wire.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
