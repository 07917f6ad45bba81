import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueuedMessages, type QueueStore } from '../../../src/emulator/data-plane/queued-messages.js';
import { allowAllPolicy, type Device, Harness, mustConnect, sleep } from '../../support/data-plane.js';

let harness: Harness;

beforeAll(async () => {
  harness = await Harness.start({ limits: { queuedMessagesPerSecond: 1 } });
});
afterAll(async () => {
  await harness?.close();
});

/** An MQTT 3.1.1 persistent session (clean session 0); `onMessage` sees what arrives right after CONNACK. */
function persistent(device: Device, onMessage?: (payload: string) => void): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(harness.url(), {
      clientId: device.clientId,
      key: device.privateKeyPem,
      cert: device.certificatePem,
      ca: harness.caPem,
      servername: 'localhost',
      reconnectPeriod: 0,
      clean: false,
    });
    if (onMessage) client.on('message', (_topic, payload) => onMessage(String(payload)));
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

describe('messages queued for offline persistent sessions', () => {
  it('beyond the account rate they are dropped; the rest are delivered on reconnection', async () => {
    const device = await harness.device('queued-sub', { policy: allowAllPolicy });
    const subscriber = await persistent(device);
    await subscriber.subscribeAsync('things/queued/#', { qos: 1 });
    await subscriber.endAsync();

    const publisher = await mustConnect(
      harness,
      await harness.device('queued-pub', { policy: allowAllPolicy }),
    );
    const sent = 10;
    for (let i = 0; i < sent; i += 1) await publisher.publishAsync('things/queued/data', `m${i}`, { qos: 1 });
    // At 1 message a second, 10 publishes cannot all be queued unless they take over 9 s.
    await expect.poll(() => harness.plane.queued.dropped, { timeout: 5_000 }).toBeGreaterThan(0);
    const dropped = harness.plane.queued.dropped;

    await sleep(1_100); // AWS allows one CONNECT per second per client ID
    const received: string[] = [];
    const resumed = await persistent(device, (payload) => received.push(payload));
    await expect.poll(() => received.length, { timeout: 5_000 }).toBe(sent - dropped);
    expect(received[0]).toBe('m0');
    await resumed.endAsync();
    await publisher.endAsync();
  });

  it('messages for online sessions are never counted against the rate', async () => {
    let now = 0;
    const enqueued: string[][] = [];
    const store: QueueStore = {
      outgoingEnqueueCombi: async (subscriptions) => {
        enqueued.push(subscriptions.map((subscription) => subscription.clientId));
      },
    };
    const queued = new QueuedMessages(
      store,
      (clientId) => clientId.startsWith('online'),
      1,
      () => now,
    );
    const subscriptions = [{ clientId: 'online-1' }, { clientId: 'offline-1' }, { clientId: 'offline-2' }];
    await store.outgoingEnqueueCombi(subscriptions, {});
    await store.outgoingEnqueueCombi(subscriptions, {});
    now = 1_000;
    await store.outgoingEnqueueCombi(subscriptions, {});
    expect(enqueued).toEqual([['online-1', 'offline-1'], ['online-1'], ['online-1', 'offline-1']]);
    expect(queued.dropped).toBe(4);
  });
});
