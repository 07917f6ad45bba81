/** `+` or `#` in a topic filter. */
const WILDCARD = /[#+]/;

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
 */
export class RetainedMessages {
  private readonly topics = new Set<string>();

  /** `maximum` undefined: no count limit (`--quotas none`). */
  constructor(
    store: RetainedStore,
    private readonly maximum?: number,
  ) {
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

  /** Why a PUBLISH is throttled by the retained-message count; undefined if it is not. */
  throttled(packet: { retain: boolean; payload: Buffer | string }): string | undefined {
    if (!packet.retain || Buffer.byteLength(packet.payload) === 0) return undefined;
    if (this.maximum === undefined || this.topics.size < this.maximum) return undefined;
    return `retained message not stored: the account holds the maximum of ${this.maximum} retained messages`;
  }
}
