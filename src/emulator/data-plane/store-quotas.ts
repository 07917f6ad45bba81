import type { Aedes, Client } from 'aedes';
import { QueuedMessages, type QueueStore } from './queued-messages.js';
import { RetainedMessages, type RetainedStore } from './retained-messages.js';

/** AWS's quotas on what the broker stores; an absent value means unlimited (`--quotas none`). */
export interface StoreQuotaLimits {
  /** Retained messages the account may store (AWS: 5000). */
  retainedMessages?: number;
  /** Retained publishes per second per account (AWS: 500) and per topic (AWS: 1). */
  retainedPublishesPerSecond?: number;
  retainedPublishesPerSecondPerTopic?: number;
  /** Messages queued for offline persistent sessions per second per account (AWS: 500). */
  queuedMessagesPerSecond?: number;
}

/** Applies the retained-message and offline-queue quotas to the broker's store. */
export function applyStoreQuotas(
  broker: Aedes,
  limits: StoreQuotaLimits,
): { retained: RetainedMessages; queued: QueuedMessages } {
  const internals = broker as unknown as {
    persistence: RetainedStore & QueueStore;
    clients: Record<string, Client | undefined>;
  };
  const retained = new RetainedMessages(internals.persistence, {
    maximum: limits.retainedMessages,
    perSecond: limits.retainedPublishesPerSecond,
    perSecondPerTopic: limits.retainedPublishesPerSecondPerTopic,
  });
  const queued = new QueuedMessages(
    internals.persistence,
    (clientId) => internals.clients[clientId]?.connected === true,
    limits.queuedMessagesPerSecond,
  );
  return { retained, queued };
}
