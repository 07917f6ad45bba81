import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Aedes, type AedesOptions } from 'aedes';
import { DeviceCa } from '../../scenarios/lib/device-ca.js';
import { generateDeviceKeyPair } from '../../scenarios/lib/device-keys.js';

export interface TestBroker {
  port: number;
  /** PEM of the CA the server certificate chains to (the client's trust bundle). */
  serverCaPem: string;
  broker: Aedes;
  /** Peer address and certificate subject CN of every accepted TLS connection. */
  peers: Array<{ remoteAddress: string | undefined; commonName: string | undefined; chainLength: number }>;
  close(): Promise<void>;
}

/** A small aedes broker behind mutual TLS on 127.0.0.1, trusting `deviceCas`; for lib tests only. */
export async function startTestBroker(deviceCas: DeviceCa[], hooks: AedesOptions = {}): Promise<TestBroker> {
  const serverCa = await DeviceCa.create({ commonName: 'test server root' });
  const serverKey = await generateDeviceKeyPair('ec');
  const serverCertPem = await serverCa.sign(serverKey.keys.publicKey, 'CN=localhost', {
    altNames: [
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: 'localhost' },
    ],
  });
  const broker = await Aedes.createBroker(hooks);
  const peers: TestBroker['peers'] = [];
  const server: Server = createServer(
    {
      key: serverKey.privateKeyPem,
      cert: serverCertPem,
      ca: deviceCas.map((ca) => ca.certificatePem),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket: TLSSocket) => {
      const peer = socket.getPeerCertificate(true);
      let chainLength = 0;
      for (let c = peer; c && Object.keys(c).length > 0; c = c.issuerCertificate) {
        chainLength++;
        if (c.issuerCertificate === c) break;
      }
      peers.push({
        remoteAddress: socket.remoteAddress,
        commonName: peer.subject?.CN as string | undefined,
        chainLength,
      });
      broker.handle(socket);
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    serverCaPem: serverCa.certificatePem,
    broker,
    peers,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      server.close();
    },
  };
}
