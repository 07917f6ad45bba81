import { TokenBucket } from '../rate-limiter.js';

/** The part of aedes's persistence that queues QoS 1 messages for persistent sessions. */
export interface QueueStore {
  outgoingEnqueueCombi(subscriptions: Array<{ clientId: string }>, packet: unknown): Promise<void>;
}

/**
 * AWS IoT Core's "Queued messages per second per account" (quota table): "This limit applies when
 * AWS IoT Core stores the messages send to offline persistent sessions." The MQTT guide: "Messages
 * are stored according to account limit. Messages that exceed the limit will be dropped." Applied
 * on aedes's store: a message for an offline session beyond the rate is not queued for it; online
 * sessions are not affected.
 */
export class QueuedMessages {
  private readonly bucket: TokenBucket | undefined;
  private droppedCount = 0;

  /** `perSecond` undefined: no limit (`--quotas none`). */
  constructor(
    store: QueueStore,
    isOnline: (clientId: string) => boolean,
    perSecond?: number,
    now?: () => number,
  ) {
    this.bucket = perSecond === undefined ? undefined : new TokenBucket(perSecond, undefined, now);
    const enqueue = store.outgoingEnqueueCombi.bind(store);
    store.outgoingEnqueueCombi = (subscriptions, packet) => {
      const kept = subscriptions.filter((subscription) => {
        if (!this.bucket || isOnline(subscription.clientId) || this.bucket.tryTake()) return true;
        this.droppedCount += 1;
        return false;
      });
      return enqueue(kept, packet);
    };
  }

  /** Messages not queued for offline sessions because of the rate. */
  get dropped(): number {
    return this.droppedCount;
  }
}
