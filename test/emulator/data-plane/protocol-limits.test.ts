import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IConnackPacket, type IDisconnectPacket, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RejectionEvent } from '../../../src/emulator/data-plane/index.js';
import {
  allowAllPolicy,
  closed,
  type Device,
  Harness,
  mustConnect,
  nextMessage,
  sleep,
} from '../../support/data-plane.js';
import { describeWithTool } from '../../support/tools.js';

/** MQTT 5 reason codes (MQTT 5.0, 2.4). */
const QOS_NOT_SUPPORTED = 0x9b;
const PACKET_TOO_LARGE = 0x95;
const TOPIC_ALIAS_INVALID = 0x94;
const SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED = 0xa1;
const LIMIT = 128 * 1024;
/** AWS's "Maximum MQTT5 packet size": 146 KB. */
const PACKET_LIMIT = 146 * 1024;

let harness: Harness;
const rejections: RejectionEvent[] = [];

beforeAll(async () => {
  harness = await Harness.start();
  harness.plane.on('rejected', (event: RejectionEvent) => rejections.push(event));
});
afterAll(async () => {
  await harness?.close();
});

/** Connects MQTT.js over MQTT 5 and resolves with the client and its CONNACK. */
function connectV5(
  device: Device,
  options: { keepalive?: number; properties?: Record<string, number>; clientId?: string } = {},
): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(harness.url(), {
      clientId: options.clientId ?? device.clientId,
      key: device.privateKeyPem,
      cert: device.certificatePem,
      ca: harness.caPem,
      servername: 'localhost',
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      keepalive: options.keepalive ?? 60,
      properties: options.properties,
    });
    client.once('connect', (connack) => resolve({ client, connack }));
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/** The DISCONNECT the server sends (undefined if the connection just closes) and whether it closed. */
function serverDisconnect(client: MqttClient, ms = 5_000): Promise<{ reasonCode?: number; closed: boolean }> {
  return new Promise((resolve) => {
    let reasonCode: number | undefined;
    client.once('disconnect', (packet: IDisconnectPacket) => {
      reasonCode = packet.reasonCode;
    });
    const timer = setTimeout(() => resolve({ reasonCode, closed: false }), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve({ reasonCode, closed: true });
    });
  });
}

describe('AWS IoT Core limits on MQTT 5 connections', () => {
  it('CONNACK announces Maximum QoS 1, Receive Maximum 100, Topic Alias Maximum 8, Maximum Packet Size 146 KB, no subscription identifiers', async () => {
    const { client, connack } = await connectV5(await harness.device('limits-connack'));
    expect(connack.properties).toMatchObject({
      maximumQoS: 1,
      receiveMaximum: 100,
      sharedSubscriptionAvailable: false,
      topicAliasMaximum: 8,
      maximumPacketSize: PACKET_LIMIT,
      subscriptionIdentifiersAvailable: false,
    });
    expect(connack.properties?.serverKeepAlive).toBeUndefined();
    expect(connack.properties?.assignedClientIdentifier).toBeUndefined();
    await client.endAsync();
  });

  it('an empty client ID is answered with an Assigned Client Identifier in the CONNACK', async () => {
    const device = await harness.device('limits-assigned', { policy: allowAllPolicy });
    const { client, connack } = await connectV5(device, { clientId: '' });
    const assigned = connack.properties?.assignedClientIdentifier;
    expect(assigned).toEqual(expect.any(String));
    expect(assigned?.length).toBeGreaterThan(0);
    await client.endAsync();
  });

  it('a client Maximum Packet Size below 512 bytes is refused; 512 is accepted', async () => {
    const device = await harness.device('limits-client-max');
    await expect(connectV5(device, { properties: { maximumPacketSize: 511 } })).rejects.toThrow();
    expect(rejections).toContainEqual({
      clientId: 'limits-client-max',
      reason: 'Maximum Packet Size 511 is below the 512-byte minimum AWS IoT Core allows',
    });
    await sleep(1_100); // AWS allows one CONNECT per second per client ID
    const { client } = await connectV5(device, { properties: { maximumPacketSize: 512 } });
    await client.endAsync();
  });

  it('a PUBLISH larger than the Maximum Packet Size a subscriber declared is not sent to it', async () => {
    const subscriber = await connectV5(await harness.device('limits-outbound', { policy: allowAllPolicy }), {
      properties: { maximumPacketSize: 1_024 },
    });
    await subscriber.client.subscribeAsync('things/limits-outbound/#', { qos: 1 });
    const received: string[] = [];
    subscriber.client.on('message', (_topic, payload) => received.push(`${payload.length} bytes`));
    const { client } = await connectV5(
      await harness.device('limits-outbound-pub', { policy: allowAllPolicy }),
    );
    const small = nextMessage(subscriber.client, 'things/limits-outbound/small');
    await client.publishAsync('things/limits-outbound/big', Buffer.alloc(2_000, 1), { qos: 1 });
    await client.publishAsync('things/limits-outbound/small', Buffer.alloc(900, 1), { qos: 1 });
    await small;
    expect(received).toEqual(['900 bytes']);
    expect(subscriber.client.connected).toBe(true);
    await client.endAsync();
    await subscriber.client.endAsync();
  });

  it('topic aliases 1-8 stand for the topic a PUBLISH registered them with', async () => {
    const listener = await connectV5(
      await harness.device('limits-alias-listener', { policy: allowAllPolicy }),
    );
    await listener.client.subscribeAsync('things/limits-alias/#', { qos: 1 });
    const received: string[] = [];
    listener.client.on('message', (topic, payload) => received.push(`${topic} ${payload}`));
    const { client } = await connectV5(await harness.device('limits-alias'));
    await client.publishAsync('things/limits-alias/a', 'first', { qos: 1, properties: { topicAlias: 1 } });
    await client.publishAsync('things/limits-alias/b', 'second', { qos: 1, properties: { topicAlias: 8 } });
    await client.publishAsync('', 'by alias 1', { qos: 1, properties: { topicAlias: 1 } });
    await client.publishAsync('', 'by alias 8', { qos: 1, properties: { topicAlias: 8 } });
    await sleep(200);
    expect(received).toEqual([
      'things/limits-alias/a first',
      'things/limits-alias/b second',
      'things/limits-alias/a by alias 1',
      'things/limits-alias/b by alias 8',
    ]);
    await client.endAsync();
    await listener.client.endAsync();
  });

  it('topic alias 9 gets DISCONNECT 0x94 (Topic Alias invalid), presence says CLIENT_ERROR', async () => {
    const watcher = await connectV5(await harness.device('limits-alias9-watch', { policy: allowAllPolicy }));
    await watcher.client.subscribeAsync('$aws/events/presence/disconnected/limits-alias9', { qos: 1 });
    const presence = nextMessage(watcher.client, '$aws/events/presence/disconnected/limits-alias9', 5_000);
    const { client } = await connectV5(await harness.device('limits-alias9'));
    const ended = serverDisconnect(client);
    // MQTT.js refuses to send an alias over the server's maximum, so the packet is written raw.
    const packet = {
      cmd: 'publish',
      topic: 'things/limits-alias9/a',
      payload: 'x',
      qos: 0,
      retain: false,
      dup: false,
    };
    client.stream.write(
      mqttPacket.generate({ ...packet, properties: { topicAlias: 9 } } as never, { protocolVersion: 5 }),
    );
    expect(await ended).toEqual({ reasonCode: TOPIC_ALIAS_INVALID, closed: true });
    expect(rejections.find((event) => event.clientId === 'limits-alias9')?.reason).toMatch(/topic alias 9/);
    expect(JSON.parse(String(await presence))).toMatchObject({ disconnectReason: 'CLIENT_ERROR' });
    client.end(true);
    await watcher.client.endAsync();
  });

  it('a packet over 146 KB gets DISCONNECT 0x95 before its payload is read', async () => {
    const { client } = await connectV5(await harness.device('limits-packet'));
    const ended = serverDisconnect(client);
    const packet = { cmd: 'publish', topic: 'things/limits-packet/a', qos: 0, retain: false, dup: false };
    client.stream.write(
      mqttPacket.generate({ ...packet, payload: Buffer.alloc(PACKET_LIMIT, 1) } as never, {
        protocolVersion: 5,
      }),
    );
    expect(await ended).toEqual({ reasonCode: PACKET_TOO_LARGE, closed: true });
    expect(rejections.find((event) => event.clientId === 'limits-packet')?.reason).toMatch(
      /over the 149504-byte \(146 KB\) Maximum Packet Size/,
    );
    client.end(true);
  });

  it('a keep-alive outside 30-1200 s is answered with the applied one as Server Keep Alive', async () => {
    const device = await harness.device('limits-keepalive');
    const applied = [];
    for (const keepalive of [10, 0, 5_000, 30, 1_200]) {
      const { client, connack } = await connectV5(device, { keepalive });
      applied.push(connack.properties?.serverKeepAlive);
      await client.endAsync();
      await sleep(1_100); // AWS allows one CONNECT per second per client ID
    }
    expect(applied).toEqual([30, 1_200, 1_200, undefined, undefined]);
  });

  it('a Session Expiry Interval above 1 hour is cut to 3600 s and the CONNACK says so', async () => {
    const { client, connack } = await connectV5(await harness.device('limits-session'), {
      properties: { sessionExpiryInterval: 7 * 24 * 3_600 },
    });
    expect(connack.properties?.sessionExpiryInterval).toBe(3_600);
    await client.end(true);
  });

  it('a QoS 2 publish gets no PUBREC: DISCONNECT 0x9B (QoS not supported), and nothing is delivered', async () => {
    const device = await harness.device('limits-qos2');
    const listener = await connectV5(
      await harness.device('limits-qos2-listener', { policy: allowAllPolicy }),
    );
    await listener.client.subscribeAsync('things/limits-qos2/#', { qos: 1 });
    let delivered = false;
    listener.client.on('message', () => {
      delivered = true;
    });
    const { client } = await connectV5(device);
    const ended = serverDisconnect(client);
    let acknowledged = false;
    client.publish('things/limits-qos2/data', 'exactly once?', { qos: 2 }, (error) => {
      if (!error) acknowledged = true;
    });
    expect(await ended).toEqual({ reasonCode: QOS_NOT_SUPPORTED, closed: true });
    expect(acknowledged).toBe(false);
    await sleep(200);
    expect(delivered).toBe(false);
    expect(rejections).toContainEqual({
      clientId: 'limits-qos2',
      reason: 'QoS 2 is not supported (AWS IoT Core supports QoS 0 and 1)',
    });
    client.end(true);
    await listener.client.endAsync();
  });

  it('a QoS 2 subscription gets no SUBACK: DISCONNECT 0x9B', async () => {
    const { client } = await connectV5(await harness.device('limits-sub2'));
    const ended = serverDisconnect(client);
    let subacked = false;
    client.subscribe('things/limits-sub2/#', { qos: 2 }, (error) => {
      if (!error) subacked = true;
    });
    expect(await ended).toEqual({ reasonCode: QOS_NOT_SUPPORTED, closed: true });
    expect(subacked).toBe(false);
    client.end(true);
  });

  it('a subscription with a Subscription Identifier gets no SUBACK: DISCONNECT 0xA1', async () => {
    const { client } = await connectV5(await harness.device('limits-subid'));
    const ended = serverDisconnect(client);
    let subacked = false;
    client.subscribe(
      'things/limits-subid/#',
      { qos: 1, properties: { subscriptionIdentifier: 7 } },
      (error) => {
        if (!error) subacked = true;
      },
    );
    expect(await ended).toEqual({ reasonCode: SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED, closed: true });
    expect(subacked).toBe(false);
    client.end(true);
  });

  it('a payload of 128 KB is accepted; one byte more gets DISCONNECT 0x95 (packet too large), presence says CLIENT_ERROR', async () => {
    const watcher = await connectV5(await harness.device('limits-payload-watch', { policy: allowAllPolicy }));
    await watcher.client.subscribeAsync('$aws/events/presence/disconnected/limits-payload', { qos: 1 });
    const presence = nextMessage(watcher.client, '$aws/events/presence/disconnected/limits-payload', 5_000);
    const { client } = await connectV5(await harness.device('limits-payload'));
    await client.publishAsync('things/limits-payload/data', Buffer.alloc(LIMIT, 1), { qos: 1 });
    const ended = serverDisconnect(client);
    client.publish('things/limits-payload/data', Buffer.alloc(LIMIT + 1, 1), { qos: 1 });
    expect(await ended).toEqual({ reasonCode: PACKET_TOO_LARGE, closed: true });
    expect(rejections).toContainEqual({
      clientId: 'limits-payload',
      reason: `payload of ${LIMIT + 1} bytes is over the ${LIMIT}-byte (128 KB) limit`,
    });
    expect(JSON.parse(String(await presence))).toMatchObject({
      clientInitiatedDisconnect: false,
      disconnectReason: 'CLIENT_ERROR',
    });
    client.end(true);
    await watcher.client.endAsync();
  });
});

describe('AWS IoT Core limits on MQTT 3.1.1 connections', () => {
  it('a QoS 2 publish is never acknowledged: the connection is closed', async () => {
    const client = await mustConnect(harness, await harness.device('limits-v4-qos2'));
    const wasClosed = closed(client, 5_000);
    let acknowledged = false;
    client.publish('things/limits-v4-qos2/data', 'x', { qos: 2 }, (error) => {
      if (!error) acknowledged = true;
    });
    expect(await wasClosed).toBe(true);
    expect(acknowledged).toBe(false);
    client.end(true);
  });

  it('a QoS 2 subscription gets no SUBACK: the connection is closed', async () => {
    const client = await mustConnect(harness, await harness.device('limits-v4-sub2'));
    const wasClosed = closed(client, 5_000);
    let subacked = false;
    client.subscribe('things/limits-v4-sub2/#', { qos: 2 }, (error) => {
      if (!error) subacked = true;
    });
    expect(await wasClosed).toBe(true);
    expect(subacked).toBe(false);
    client.end(true);
  });

  it('a keep-alive of 5 s is accepted (AWS applies 30 s) rather than refused', async () => {
    const device = await harness.device('limits-v4-keepalive');
    const client = await mustConnect(harness, device);
    await client.endAsync();
    await sleep(1_100);
    const short = await new Promise<boolean>((resolve) => {
      const c = mqtt.connect(harness.url(), {
        clientId: device.clientId,
        key: device.privateKeyPem,
        cert: device.certificatePem,
        ca: harness.caPem,
        servername: 'localhost',
        reconnectPeriod: 0,
        keepalive: 5,
      });
      c.once('connect', () => {
        c.end(true);
        resolve(true);
      });
      c.once('close', () => resolve(false));
    });
    expect(short).toBe(true);
  });
});

/** Runs a command to its end (killed after `ms`). */
function run(command: string, args: string[], ms = 20_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describeWithTool('mosquitto_pub', 'AWS IoT Core limits seen by mosquitto_pub -V mqttv5', () => {
  it('a Maximum Packet Size of 511 is refused, 512 connects and publishes through a topic alias', async () => {
    const device = await harness.device('limits-mosquitto');
    const dir = await mkdtemp(join(tmpdir(), 'provbench-limits-'));
    const files = { cert: join(dir, 'device.crt'), key: join(dir, 'device.key'), ca: join(dir, 'ca.pem') };
    await writeFile(files.cert, device.certificatePem);
    await writeFile(files.key, device.privateKeyPem, { mode: 0o600 });
    await writeFile(files.ca, harness.caPem);
    const listener = await connectV5(
      await harness.device('limits-mosquitto-listener', { policy: allowAllPolicy }),
    );
    await listener.client.subscribeAsync('things/limits-mosquitto/#', { qos: 1 });
    const received = nextMessage(listener.client, 'things/limits-mosquitto/aliased', 10_000);
    const publish = (maximumPacketSize: number) =>
      run('mosquitto_pub', [
        ...['-h', '127.0.0.1', '-p', String(harness.plane.port), '--cafile', files.ca],
        ...['--cert', files.cert, '--key', files.key, '-V', 'mqttv5', '-i', 'limits-mosquitto'],
        ...['-D', 'connect', 'maximum-packet-size', String(maximumPacketSize)],
        ...[
          '-D',
          'publish',
          'topic-alias',
          '8',
          '-t',
          'things/limits-mosquitto/aliased',
          '-m',
          'via alias',
          '-q',
          '1',
        ],
      ]);
    const refused = await publish(511);
    expect(refused.code).not.toBe(0);
    expect(rejections).toContainEqual({
      clientId: 'limits-mosquitto',
      reason: 'Maximum Packet Size 511 is below the 512-byte minimum AWS IoT Core allows',
    });
    await sleep(1_100); // AWS allows one CONNECT per second per client ID
    const accepted = await publish(512);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(String(await received)).toBe('via alias');
    await listener.client.endAsync();
    await rm(dir, { recursive: true, force: true });
  });
});
