export type DisconnectReason =
  | 'CLIENT_INITIATED_DISCONNECT'
  | 'CONNECTION_LOST'
  | 'DUPLICATE_CLIENTID'
  | 'AUTH_ERROR'
  | 'SERVER_INITIATED_DISCONNECT'
  | 'MQTT_KEEP_ALIVE_TIMEOUT'
  | 'CLIENT_ERROR';

export interface PresenceFacts {
  clientId: string;
  sessionIdentifier: string;
  principalIdentifier: string;
  ipAddress?: string;
  versionNumber: number;
}

/** `$aws/events/presence/connected/<clientId>` payload as AWS documents it. */
export function connectedEvent(facts: PresenceFacts): Record<string, unknown> {
  return {
    clientId: facts.clientId,
    timestamp: Date.now(),
    eventType: 'connected',
    sessionIdentifier: facts.sessionIdentifier,
    principalIdentifier: facts.principalIdentifier,
    ipAddress: facts.ipAddress,
    versionNumber: facts.versionNumber,
  };
}

/** `$aws/events/presence/disconnected/<clientId>` payload as AWS documents it. */
export function disconnectedEvent(facts: PresenceFacts, reason: DisconnectReason): Record<string, unknown> {
  return {
    clientId: facts.clientId,
    timestamp: Date.now(),
    eventType: 'disconnected',
    clientInitiatedDisconnect: reason === 'CLIENT_INITIATED_DISCONNECT',
    sessionIdentifier: facts.sessionIdentifier,
    principalIdentifier: facts.principalIdentifier,
    disconnectReason: reason,
    ipAddress: facts.ipAddress,
    versionNumber: facts.versionNumber,
  };
}
