import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadyFile } from '../../../src/targets/embedded.js';
import { LOCAL_CREDENTIALS } from '../../../src/targets/iot-client.js';
import type { StartedTarget } from '../../../src/targets/target.js';

const CLI = resolve(import.meta.dirname, '../../../bin/provbench.js');

/**
 * `provbench emulator` in its own process, as the embedded target starts it, but with EC device
 * keys from CreateKeysAndCertificate (`--device-keys ec-p256`) so 200-device runs fit the test
 * budget; RSA-2048 generation (~5 per second per core) would dominate otherwise.
 */
export async function startEmulatorProcess(
  workDir: string,
  quotas: 'aws' | 'none' = 'none',
): Promise<StartedTarget> {
  const readyPath = join(workDir, 'emulator-ready.json');
  const logPath = join(workDir, 'emulator.log');
  const log = openSync(logPath, 'a', 0o600);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      CLI,
      'emulator',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--mqtt-port',
      '0',
      '--krypton-port',
      '0',
      '--quotas',
      quotas,
      '--device-keys',
      'ec-p256',
      '--ready-file',
      readyPath,
    ],
    { stdio: ['ignore', log, log] },
  );
  const deadline = Date.now() + 60_000;
  let ready: ReadyFile | undefined;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`emulator exited with ${child.exitCode}; see ${logPath}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`emulator not ready within 60 s; see ${logPath}`);
    }
    if (existsSync(readyPath)) {
      try {
        ready = ReadyFile.parse(JSON.parse(readFileSync(readyPath, 'utf8')));
      } catch {
        // Half-written; read again.
      }
    }
    if (!ready) await sleep(50);
  }
  return {
    name: 'embedded',
    endpoint: {
      target: 'embedded',
      region: ready.region,
      accountId: ready.accountId,
      controlPlaneUrl: ready.controlPlaneUrl,
      mqttHost: ready.mqttHost ?? null,
      mqttPort: ready.mqttPort ?? null,
      rootCaPem: readFileSync(ready.rootCaFile, 'utf8'),
      kryptonUrl: ready.kryptonUrl ?? null,
    },
    iotConfig: {
      region: ready.region,
      endpoint: ready.controlPlaneUrl,
      credentials: { ...LOCAL_CREDENTIALS },
      requestTimeoutMs: 20_000,
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
