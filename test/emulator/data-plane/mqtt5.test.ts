import type { IDisconnectPacket, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RejectionEvent } from '../../../src/emulator/data-plane/index.js';
import {
  allowAllPolicy,
  closed,
  connectDevice,
  type Device,
  Harness,
  mustConnect,
  nextMessage,
  sleep,
} from '../../support/data-plane.js';

/** MQTT 5 reason codes AWS IoT documents for CONNACK, PUBACK, SUBACK and DISCONNECT. */
const NOT_AUTHORIZED = 0x87;
const SESSION_TAKEN_OVER = 0x8e;

let harness: Harness;
const rejections: RejectionEvent[] = [];

beforeAll(async () => {
  harness = await Harness.start();
  harness.plane.on('rejected', (event: RejectionEvent) => rejections.push(event));
});
afterAll(async () => {
  await harness?.close();
});

const v5 = { protocolVersion: 5 } as const;

/** Publishes at QoS 1 and resolves with the PUBACK reason code (0 when accepted). */
function pubackReasonCode(client: MqttClient, topic: string, payload: string): Promise<number> {
  return new Promise((resolve) => {
    client.publish(topic, payload, { qos: 1 }, (error, packet) => {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (typeof code === 'number') return resolve(code);
      resolve((packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0);
    });
  });
}

async function v5Client(device: Device): Promise<MqttClient> {
  return mustConnect(harness, device, { ...v5, alpn: true });
}

describe('MQTT 5 connections', () => {
  it('connects with a device certificate; a QoS 1 publish is acknowledged with reason code 0x00 and delivered', async () => {
    const device = await harness.device('v5-ok');
    const client = await v5Client(device);
    expect(client.options.protocolVersion).toBe(5);
    await client.subscribeAsync('things/v5-ok/echo', { qos: 1 });
    const message = nextMessage(client, 'things/v5-ok/echo');
    expect(await pubackReasonCode(client, 'things/v5-ok/echo', 'hello v5')).toBe(0);
    expect(String(await message)).toBe('hello v5');
    await client.endAsync();
  });

  it('a 3.1.1 subscriber receives what an MQTT 5 device publishes', async () => {
    const device = await harness.device('v5-cross');
    const listener = await harness.device('v4-cross', { policy: allowAllPolicy });
    const subscriber = await mustConnect(harness, listener);
    await subscriber.subscribeAsync('things/v5-cross/#', { qos: 1 });
    const message = nextMessage(subscriber, 'things/v5-cross/data');
    const publisher = await v5Client(device);
    expect(await pubackReasonCode(publisher, 'things/v5-cross/data', 'across versions')).toBe(0);
    expect(String(await message)).toBe('across versions');
    await publisher.endAsync();
    await subscriber.endAsync();
  });

  it('iot:Connect denied: CONNACK reason code 0x87, then the connection is closed', async () => {
    const device = await harness.device('v5-named');
    const result = await connectDevice(harness, { ...device, clientId: 'v5-not-my-thing' }, v5);
    expect(result).toMatchObject({ connected: false, reasonCode: NOT_AUTHORIZED });
    expect(rejections).toContainEqual({
      clientId: 'v5-not-my-thing',
      reason: 'iot:Connect denied for client ID v5-not-my-thing',
    });
  });

  it('a certificate that is not ACTIVE is refused as for MQTT 3.1.1: closed without CONNACK', async () => {
    const device = await harness.device('v5-inactive', { status: 'INACTIVE' });
    const result = await connectDevice(harness, device, v5);
    expect(result).toMatchObject({ connected: false });
    expect(result.connected === false && result.reasonCode).toBeUndefined();
  });
});

describe('MQTT 5 authorization', () => {
  it('a denied publish gets PUBACK 0x87; the connection stays open and nothing is delivered', async () => {
    const watcher = await harness.device('v5-watcher', { policy: allowAllPolicy });
    const watch = await mustConnect(harness, watcher);
    await watch.subscribeAsync('things/v5-victim/#', { qos: 1 });
    const device = await harness.device('v5-pub');
    const client = await v5Client(device);
    const leaked = nextMessage(watch, 'things/v5-victim/data', 500);

    expect(await pubackReasonCode(client, 'things/v5-victim/data', 'not mine')).toBe(NOT_AUTHORIZED);
    expect(await leaked).toBeUndefined();
    expect(client.connected).toBe(true);
    expect(rejections).toContainEqual({
      clientId: 'v5-pub',
      reason: 'iot:Publish denied on things/v5-victim/data',
    });
    expect(await pubackReasonCode(client, 'things/v5-pub/data', 'mine')).toBe(0);
    await client.endAsync();
    await watch.endAsync();
  });

  it('a publish to a reserved $aws/events/ topic gets PUBACK 0x87 even with iot:* allowed', async () => {
    const device = await harness.device('v5-reserved', { policy: allowAllPolicy });
    const client = await v5Client(device);
    expect(await pubackReasonCode(client, '$aws/events/presence/connected/someone', '{}')).toBe(
      NOT_AUTHORIZED,
    );
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('DetachPolicy applies to a live MQTT 5 connection: the next publish gets 0x87', async () => {
    const device = await harness.device('v5-detach');
    const client = await v5Client(device);
    expect(await pubackReasonCode(client, 'things/v5-detach/x', 'allowed')).toBe(0);
    harness.registry.detachPolicy(`p-${device.certificateId.slice(0, 12)}`, device.certificateArn);
    expect(await pubackReasonCode(client, 'things/v5-detach/x', 'denied now')).toBe(NOT_AUTHORIZED);
    await client.endAsync();
  });

  it('a denied subscribe gets SUBACK 0x87 for that filter; the others are granted', async () => {
    const device = await harness.device('v5-sub');
    const client = await v5Client(device);
    const granted = await new Promise<number[]>((resolve) => {
      client.subscribe(['things/v5-sub/ok', 'things/other/x'], { qos: 1 }, (error, grants) => {
        const packet = (error as { packet?: { granted?: number[] } } | null)?.packet;
        resolve(packet?.granted ?? (grants ?? []).map((g) => g.qos));
      });
    });
    expect(granted).toEqual([1, NOT_AUTHORIZED]);
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});

describe('MQTT 5 sessions', () => {
  it('a second connection with the same client ID sends the first DISCONNECT 0x8E; presence says DUPLICATE_CLIENTID', async () => {
    const watcher = await harness.device('v5-presence', { policy: allowAllPolicy });
    const watch = await mustConnect(harness, watcher);
    await watch.subscribeAsync('$aws/events/presence/disconnected/v5-twin', { qos: 0 });
    const device = await harness.device('v5-twin');
    const first = await v5Client(device);
    const disconnectPacket = new Promise<IDisconnectPacket>((resolve) => first.once('disconnect', resolve));
    const firstClosed = closed(first);
    const disconnected = nextMessage(watch, '$aws/events/presence/disconnected/v5-twin');
    await sleep(50);
    const second = await v5Client(device);
    expect((await disconnectPacket).reasonCode).toBe(SESSION_TAKEN_OVER);
    expect(await firstClosed).toBe(true);
    first.end(true);
    expect(JSON.parse(String(await disconnected))).toMatchObject({
      disconnectReason: 'DUPLICATE_CLIENTID',
      clientInitiatedDisconnect: false,
    });
    await second.endAsync();
    await watch.endAsync();
  });

  it('UpdateCertificate INACTIVE closes a live MQTT 5 connection', async () => {
    const device = await harness.device('v5-revoke');
    const client = await v5Client(device);
    const wasClosed = closed(client);
    harness.registry.updateCertificateStatus(device.certificateId, 'INACTIVE');
    expect(await wasClosed).toBe(true);
    client.end(true);
  });
});
