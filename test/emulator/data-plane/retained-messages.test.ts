import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RejectionEvent } from '../../../src/emulator/data-plane/index.js';
import { RetainedMessages, type RetainedStore } from '../../../src/emulator/data-plane/retained-messages.js';
import { allowAllPolicy, Harness, mustConnect, nextMessage } from '../../support/data-plane.js';

/** MQTT 5 PUBACK 0x97 Quota exceeded. */
const QUOTA_EXCEEDED = 0x97;
/** A small retained-message quota so the test reaches it (AWS: 5000). */
const MAXIMUM = 2;

let harness: Harness;
const rejections: RejectionEvent[] = [];

beforeAll(async () => {
  harness = await Harness.start({ limits: { retainedMessages: MAXIMUM } });
  harness.plane.on('rejected', (event: RejectionEvent) => rejections.push(event));
});
afterAll(async () => {
  await harness?.close();
});

/** Publishes at QoS 1 and resolves with the PUBACK reason code (0 when accepted). */
function pubackReasonCode(
  client: MqttClient,
  topic: string,
  payload: string,
  retain: boolean,
): Promise<number> {
  return new Promise((resolve) => {
    client.publish(topic, payload, { qos: 1, retain }, (error, packet) => {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (typeof code === 'number') return resolve(code);
      resolve((packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0);
    });
  });
}

async function client(name: string, protocolVersion: 4 | 5 = 5): Promise<MqttClient> {
  return mustConnect(harness, await harness.device(name, { policy: allowAllPolicy }), { protocolVersion });
}

/**
 * What a new subscription to `filter` receives first: its retained message, if the broker sends
 * one, comes before a live marker published once the SUBACK is in.
 */
async function firstMessageOnSubscribe(
  subscriber: MqttClient,
  publisher: MqttClient,
  filter: string,
  markerTopic: string,
): Promise<{ payload: string; retain: boolean }> {
  const first = new Promise<{ payload: string; retain: boolean }>((resolve) => {
    subscriber.once('message', (_topic, payload, packet) =>
      resolve({ payload: String(payload), retain: packet.retain }),
    );
  });
  await subscriber.subscribeAsync(filter, { qos: 1 });
  await publisher.publishAsync(markerTopic, 'marker', { qos: 1 });
  return first;
}

describe('retained messages', () => {
  it('an exact topic filter receives the retained message with RETAIN set; a wildcard filter does not', async () => {
    const publisher = await client('retained-publisher');
    expect(await pubackReasonCode(publisher, 'things/retained/config', 'kept', true)).toBe(0);
    const exact = await client('retained-exact');
    expect(
      await firstMessageOnSubscribe(exact, publisher, 'things/retained/config', 'things/retained/config'),
    ).toEqual({
      payload: 'kept',
      retain: true,
    });
    const wildcard = await client('retained-wildcard');
    expect(
      await firstMessageOnSubscribe(wildcard, publisher, 'things/retained/#', 'things/retained/config'),
    ).toEqual({
      payload: 'marker',
      retain: false,
    });
    // Clearing it (empty payload) leaves the count where the next test expects it.
    expect(await pubackReasonCode(publisher, 'things/retained/config', '', true)).toBe(0);
    expect(harness.plane.retained.count).toBe(0);
    for (const c of [publisher, exact, wildcard]) await c.endAsync();
  });

  it('at the account maximum, retained publishes with a payload are throttled until one is deleted', async () => {
    const publisher = await client('quota-publisher');
    expect(await pubackReasonCode(publisher, 'things/quota/a', 'A', true)).toBe(0);
    expect(await pubackReasonCode(publisher, 'things/quota/b', 'B', true)).toBe(0);
    expect(harness.plane.retained.count).toBe(MAXIMUM);

    // A new topic and a replacement alike: PUBACK 0x97, nothing stored, nothing delivered.
    const live = await client('quota-live');
    await live.subscribeAsync('things/quota/#', { qos: 1 });
    const delivered: string[] = [];
    live.on('message', (_topic, payload) => delivered.push(String(payload)));
    expect(await pubackReasonCode(publisher, 'things/quota/c', 'C', true)).toBe(QUOTA_EXCEEDED);
    expect(await pubackReasonCode(publisher, 'things/quota/a', 'A2', true)).toBe(QUOTA_EXCEEDED);
    expect(rejections).toContainEqual({
      clientId: 'quota-publisher',
      reason: `retained message not stored: the account holds the maximum of ${MAXIMUM} retained messages`,
    });
    // Non-retained publishes and the connection itself are unaffected.
    const liveMessage = nextMessage(live, 'things/quota/a');
    expect(await pubackReasonCode(publisher, 'things/quota/a', 'live', false)).toBe(0);
    expect(String(await liveMessage)).toBe('live');
    const late = await client('quota-late');
    const marker = nextMessage(live, 'things/quota/a');
    expect(await firstMessageOnSubscribe(late, publisher, 'things/quota/a', 'things/quota/a')).toEqual({
      payload: 'A',
      retain: true,
    });
    expect(String(await marker)).toBe('marker');

    // MQTT 3.1.1 has no reason code: the publish is discarded and the connection stays open.
    const v4 = await client('quota-v4', 4);
    await v4.publishAsync('things/quota/d', 'D', { qos: 0, retain: true });
    const after = nextMessage(live, 'things/quota/d');
    expect(await pubackReasonCode(v4, 'things/quota/d', 'after', false)).toBe(0);
    expect(String(await after)).toBe('after');
    // Throttled publishes were never delivered: the live subscriber saw only the accepted ones.
    expect(delivered).toEqual(['live', 'marker', 'after']);
    expect(harness.plane.retained.count).toBe(MAXIMUM);

    // Deleting one (RETAIN with an empty payload) is never throttled and frees a place.
    expect(await pubackReasonCode(publisher, 'things/quota/b', '', true)).toBe(0);
    expect(await pubackReasonCode(publisher, 'things/quota/c', 'C', true)).toBe(0);
    expect(harness.plane.retained.count).toBe(MAXIMUM);
    for (const c of [publisher, live, late, v4]) await c.endAsync();
  });
});

describe('retained publish rates', () => {
  /** A stand-in for aedes's store that records what it is asked. */
  function store(): RetainedStore & { lookedUp: string[][] } {
    const lookedUp: string[][] = [];
    return {
      lookedUp,
      storeRetained: async () => undefined,
      createRetainedStreamCombi: (patterns: string[]) => lookedUp.push(patterns),
    };
  }

  it('one retained publish per second per topic, and the account rate across topics; deletions count too', () => {
    let now = 0;
    const retained = new RetainedMessages(store(), { perSecond: 2, perSecondPerTopic: 1 }, () => now);
    const publish = (topic: string, payload = 'x') => retained.throttled({ topic, retain: true, payload });
    expect(publish('a')).toBeUndefined();
    expect(publish('a', '')).toMatch(/per second per topic/);
    expect(publish('b')).toBeUndefined();
    expect(publish('c')).toMatch(/per second per account/);
    expect(retained.throttled({ topic: 'c', retain: false, payload: 'x' })).toBeUndefined();
    now = 1_000;
    expect(publish('a')).toBeUndefined();
    expect(publish('c')).toBeUndefined();
  });

  it('looks up retained messages for exact topic filters only', () => {
    const backing = store();
    new RetainedMessages(backing);
    backing.createRetainedStreamCombi(['things/a', 'things/+', 'things/#', '#']);
    expect(backing.lookedUp).toEqual([['things/a']]);
  });
});
