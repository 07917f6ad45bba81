import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IoTClient } from '@aws-sdk/client-iot';
import { KryptonClient } from '../../scenarios/lib/krypton-client.js';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/emulator/index.js';
import { kryptonListener } from '../../src/emulator/krypton/listener.js';
import { writeFleetFile } from '../../src/sim/fleet-file.js';
import type { SimRecord } from '../../src/sim/sim-record.js';

export interface TestEmulator {
  emulator: RunningEmulator;
  /** An IoTClient for the emulator: dummy credentials, maxAttempts 1 (no SDK retries). */
  iot: IoTClient;
  close(): Promise<void>;
}

/**
 * Starts an in-process emulator on 127.0.0.1 port 0 with quotas off, a fresh in-memory CA and
 * a small key pool (override anything through `options`). Call close() in afterAll.
 */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({ quotas: 'none', keyPoolSize: 4, ...options });
  const iot = new IoTClient({
    endpoint: emulator.controlPlaneUrl,
    region: emulator.region,
    credentials: { accessKeyId: 'AKIDPROVBENCHTEST', secretAccessKey: 'provbench-test-secret' },
    maxAttempts: 1,
  });
  return {
    emulator,
    iot,
    async close() {
      iot.destroy();
      await emulator.close();
    },
  };
}

export interface KryptonTestEmulator extends TestEmulator {
  /** A KryptonClient for the emulator's Krypton service: SIM keys, bootstrap, `/_emulator` admin routes. */
  krypton: KryptonClient;
}

/**
 * startTestEmulator with the Krypton service as its only listener (no data plane), EC device
 * keys and a KryptonClient for it. `sims` are written to a fleet.json the service loads (removed
 * on close); other options override anything (`listeners: EMULATOR_LISTENERS` adds the data plane).
 */
export async function startKryptonTestEmulator(
  options: EmulatorOptions & { sims?: SimRecord[] } = {},
): Promise<KryptonTestEmulator> {
  const { sims, ...emulatorOptions } = options;
  const fleetDir = sims ? await mkdtemp(join(tmpdir(), 'provbench-test-fleet-')) : undefined;
  if (fleetDir && sims) {
    emulatorOptions.fleetFile = join(fleetDir, 'fleet.json');
    await writeFleetFile(emulatorOptions.fleetFile, sims);
  }
  const removeFleet = () => (fleetDir ? rm(fleetDir, { recursive: true, force: true }) : Promise.resolve());
  const test = await startTestEmulator({
    deviceKeyAlgorithm: 'ec-p256',
    keyPoolSize: 2,
    listeners: [kryptonListener],
    ...emulatorOptions,
  }).catch(async (error: unknown) => {
    await removeFleet();
    throw error;
  });
  const { kryptonUrl, pki } = test.emulator;
  if (!kryptonUrl) {
    await test.close();
    await removeFleet();
    throw new Error('the test emulator has no Krypton service: keep kryptonListener in `listeners`');
  }
  const krypton = new KryptonClient({ baseUrl: kryptonUrl, ca: pki.bundlePem });
  return {
    ...test,
    krypton,
    async close() {
      krypton.close();
      await test.close();
      await removeFleet();
    },
  };
}
