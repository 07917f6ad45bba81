import { KeyedRateLimiter, TokenBucket } from '../rate-limiter.js';

/** `+` or `#` in a topic filter. */
const WILDCARD = /[#+]/;

/** The quotas on retained messages; an absent one is not enforced (`--quotas none`). */
export interface RetainedMessageLimits {
  /** Retained messages stored per account (AWS: 5000). */
  maximum?: number;
  /** Retained publishes per second per account (AWS: 500). */
  perSecond?: number;
  /** Retained publishes per second per topic (AWS: 1). */
  perSecondPerTopic?: number;
}

/** The part of aedes's persistence that holds retained messages. */
export interface RetainedStore {
  storeRetained(packet: { topic: string; payload: Buffer | string }): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): unknown;
}

/**
 * AWS IoT Core's retained-message rules, applied on aedes's store:
 * - "Subscription to topic filters that contain a wildcard character can't receive retained
 *   messages" (MQTT guide, "AWS IoT differences from MQTT specifications"): only exact topic
 *   filters are looked up when a subscription is made;
 * - "Maximum number of retained messages per account" (quota table): "When this limit is
 *   reached, no new retained messages are stored for this account and all retained publishes
 *   with payloads greater than 0 bytes are throttled."
 * - "Retained message inbound publish requests per second per account" and "... per topic".
 */
export class RetainedMessages {
  private readonly topics = new Set<string>();
  private readonly maximum: number | undefined;
  private readonly account: TokenBucket | undefined;
  private readonly perTopic: KeyedRateLimiter | undefined;

  constructor(store: RetainedStore, limits: RetainedMessageLimits = {}, now?: () => number) {
    this.maximum = limits.maximum;
    this.account =
      limits.perSecond === undefined ? undefined : new TokenBucket(limits.perSecond, undefined, now);
    this.perTopic =
      limits.perSecondPerTopic === undefined
        ? undefined
        : new KeyedRateLimiter(limits.perSecondPerTopic, now);
    const storeRetained = store.storeRetained.bind(store);
    store.storeRetained = async (packet) => {
      await storeRetained(packet);
      // An empty payload deletes the topic's retained message.
      if (Buffer.byteLength(packet.payload) === 0) this.topics.delete(packet.topic);
      else this.topics.add(packet.topic);
    };
    const retainedFor = store.createRetainedStreamCombi.bind(store);
    store.createRetainedStreamCombi = (patterns) =>
      retainedFor(patterns.filter((pattern) => !WILDCARD.test(pattern)));
  }

  /** Retained messages stored now. */
  get count(): number {
    return this.topics.size;
  }

  /** Why a PUBLISH is throttled by the retained-message quotas; undefined if it is not. */
  throttled(packet: { topic: string; retain: boolean; payload: Buffer | string }): string | undefined {
    if (!packet.retain) return undefined;
    if (this.perTopic && !this.perTopic.tryTake(packet.topic)) {
      return `retained publish rate exceeded on ${packet.topic} (Retained message inbound publish requests per second per topic)`;
    }
    if (this.account && !this.account.tryTake()) {
      return 'retained publish rate exceeded (Retained message inbound publish requests per second per account)';
    }
    if (Buffer.byteLength(packet.payload) === 0) return undefined;
    if (this.maximum === undefined || this.topics.size < this.maximum) return undefined;
    return `retained message not stored: the account holds the maximum of ${this.maximum} retained messages`;
  }
}
