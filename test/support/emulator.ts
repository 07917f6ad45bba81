import { IoTClient } from '@aws-sdk/client-iot';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/emulator/index.js';

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
