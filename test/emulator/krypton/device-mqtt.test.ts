import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootstrapResponse, KryptonClient } from '../../../scenarios/lib/krypton-client.js';
import { EMULATOR_LISTENERS, type RunningEmulator } from '../../../src/emulator/index.js';
import { generateFleet } from '../../../src/sim/generate.js';
import { SimCard } from '../../../src/sim/sim-card.js';
import { hasSecrets, type SimWithSecrets } from '../../../src/sim/sim-record.js';
import { type KryptonTestEmulator, startKryptonTestEmulator } from '../../support/emulator.js';

describe('a simulated SIM device: bootstrap through Krypton, then MQTT over mTLS with what it received', () => {
  let test: KryptonTestEmulator;
  let emulator: RunningEmulator;
  let harness: KryptonClient;
  const sims = generateFleet({ devices: 2, seed: 909 }).filter(hasSecrets) as SimWithSecrets[];

  beforeAll(async () => {
    test = await startKryptonTestEmulator({ sims, listeners: EMULATOR_LISTENERS });
    ({ emulator, krypton: harness } = test);
  });

  afterAll(async () => {
    await test?.close();
  });

  /** Connects as the Thing and publishes QoS 1 on its own topic; resolves once the PUBACK arrives. */
  async function publishWith(credentials: BootstrapResponse, localAddress?: string): Promise<void> {
    const client = await mqtt.connectAsync({
      protocol: 'mqtts',
      host: credentials.host,
      port: emulator.mqttPort!,
      clientId: credentials.clientId,
      key: credentials.privateKey,
      cert: credentials.certificate,
      ca: credentials.rootCaCertificate,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 15_000,
      ...(localAddress ? { localAddress } : {}),
    });
    try {
      const packet = await client.publishAsync(
        `devices/${credentials.clientId}/telemetry`,
        '{"hello":"krypton"}',
        {
          qos: 1,
        },
      );
      expect(packet?.cmd).toBe('publish');
    } finally {
      await client.endAsync();
    }
  }

  it('cellular path: the device, bound to its session address, bootstraps and publishes', async () => {
    const sim = sims[0]!;
    const attached = await harness.send(`/_emulator/sims/${sim.imsi}/attach`, '', {});
    const { address } = JSON.parse(attached.body.toString()) as { address: string };
    const device = new KryptonClient({
      baseUrl: emulator.kryptonUrl!,
      ca: emulator.pki.bundlePem,
      localAddress: address,
    });
    try {
      const credentials = await device.bootstrap();
      expect(credentials.host).toBe(emulator.mqttHost);
      await publishWith(credentials, address);
    } finally {
      device.close();
    }
  });

  it('the policy the bootstrap attached confines the device to its own topics', async () => {
    const sim = sims[0]!;
    const key = await harness.authenticate(new SimCard(sim));
    const credentials = await harness.bootstrap({}, key);
    const client = await mqtt.connectAsync({
      protocol: 'mqtts',
      host: credentials.host,
      port: emulator.mqttPort!,
      clientId: credentials.clientId,
      key: credentials.privateKey,
      cert: credentials.certificate,
      ca: credentials.rootCaCertificate,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    try {
      const outcome = await Promise.race([
        client.publishAsync('devices/someone-else/telemetry', 'x', { qos: 1 }).then(
          () => 'acked',
          () => 'refused',
        ),
        new Promise<string>((resolve) => client.once('close', () => resolve('refused'))),
      ]);
      expect(outcome).toBe('refused');
    } finally {
      client.end(true);
    }
  });

  it('SIM-authentication path: the device proves its SIM over a non-cellular link, bootstraps and publishes', async () => {
    const sim = sims[1]!;
    const device = new KryptonClient({ baseUrl: emulator.kryptonUrl!, ca: emulator.pki.bundlePem });
    try {
      const key = await device.authenticate(new SimCard(sim));
      const light = await device.bootstrap({ skipCertificates: true }, key);
      const credentials: BootstrapResponse = {
        ...light,
        certificate: await device.certificate(light.certificateId!, key),
        rootCaCertificate: await device.rootCaCertificate(key),
      };
      await publishWith(credentials);
    } finally {
      device.close();
    }
  });
});
