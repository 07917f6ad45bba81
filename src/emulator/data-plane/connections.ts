import type { Client } from 'aedes';
import type { ConnectionIdentity } from './authorizer.js';
import type { RegistryChange } from './ports.js';
import { connectedEvent, type DisconnectReason, disconnectedEvent } from './presence.js';

export interface ConnectionState {
  identity: ConnectionIdentity;
  facts: { sessionIdentifier: string; versionNumber: number };
  disconnectReason?: DisconnectReason;
}

/**
 * The gateway's live connections: each one's identity, which certificates are in use (so a
 * status change can close them), the presence events on connect and disconnect, and the
 * per-client-ID version numbers AWS keeps counting.
 */
export class Connections {
  private readonly states = new WeakMap<Client, ConnectionState>();
  private readonly clientsByCertificate = new Map<string, Set<Client>>();
  private readonly versions = new Map<string, number>();
  private readonly publish: (topic: string, payload: Buffer) => void;

  constructor(publish: (topic: string, payload: Buffer) => void) {
    this.publish = publish;
  }

  get(client: Client): ConnectionState | undefined {
    return this.states.get(client);
  }

  /** Records an accepted CONNECT; the connection counts from now until its socket closes. */
  open(client: Client, clientId: string, identity: ConnectionIdentity, sessionIdentifier: string): void {
    const versionNumber = this.versions.get(clientId) ?? 0;
    this.states.set(client, { identity, facts: { sessionIdentifier, versionNumber } });
    this.track(client, identity.certificate.certificateId);
  }

  /** Marks why a connection is about to close, for its disconnect event. */
  markClosing(client: Client, reason: DisconnectReason): void {
    const state = this.states.get(client);
    if (state) state.disconnectReason = reason;
  }

  counts(): { certificatesInUse: number; clientIdVersions: number } {
    return { certificatesInUse: this.clientsByCertificate.size, clientIdVersions: this.versions.size };
  }

  onReady(client: Client): void {
    const state = this.states.get(client);
    if (!state) return;
    const event = connectedEvent(this.presenceFacts(client, state));
    this.publish(`$aws/events/presence/connected/${client.id}`, Buffer.from(JSON.stringify(event)));
  }

  onDisconnect(client: Client): void {
    const state = this.states.get(client);
    if (!state) return;
    const disconnected = client as Client & { _disconnected?: boolean };
    const reason: DisconnectReason =
      state.disconnectReason ??
      (disconnected._disconnected ? 'CLIENT_INITIATED_DISCONNECT' : 'CONNECTION_LOST');
    this.versions.set(client.id, state.facts.versionNumber + 1);
    const event = disconnectedEvent(this.presenceFacts(client, state), reason);
    this.publish(`$aws/events/presence/disconnected/${client.id}`, Buffer.from(JSON.stringify(event)));
  }

  /** Closes the connections of a certificate that was deactivated, revoked or deleted. */
  onRegistryChange(change: RegistryChange): void {
    if (change.kind === 'certificate-status' && change.status === 'ACTIVE') return;
    const clients = this.clientsByCertificate.get(change.certificateId);
    if (!clients) return;
    for (const client of [...clients]) {
      this.markClosing(client, 'SERVER_INITIATED_DISCONNECT');
      client.close();
      client.conn.destroy();
    }
  }

  /** Remembers which connections use a certificate, from CONNECT until the socket closes. */
  private track(client: Client, certificateId: string): void {
    let clients = this.clientsByCertificate.get(certificateId);
    if (!clients) {
      clients = new Set();
      this.clientsByCertificate.set(certificateId, clients);
    }
    clients.add(client);
    client.conn.once('close', () => {
      clients.delete(client);
      if (clients.size === 0 && this.clientsByCertificate.get(certificateId) === clients) {
        this.clientsByCertificate.delete(certificateId);
      }
    });
  }

  private presenceFacts(client: Client, state: ConnectionState) {
    return {
      clientId: client.id,
      sessionIdentifier: state.facts.sessionIdentifier,
      principalIdentifier: state.identity.certificate.certificateId,
      ipAddress: state.identity.sourceIp,
      versionNumber: state.facts.versionNumber,
    };
  }
}
