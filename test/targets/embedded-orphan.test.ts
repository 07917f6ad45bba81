import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  childPids,
  isRunning,
  startProvbench,
  waitFor,
  workerLedgerLines,
} from '../support/provbench-cli.js';

function refused(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('embedded target', () => {
  it('its emulator ends within a second when provbench run is killed (SIGKILL) in the device stage', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pb-orphan-'));
    const ledger = join(out, 'ledger.jsonl');
    const run = startProvbench([
      'run',
      '--scenario',
      'pre-issued',
      '--devices',
      '2000',
      '--rate',
      '20',
      '--key-type',
      'ec',
      '--progress',
      'off',
      '--out',
      out,
    ]);
    const pid = run.child.pid as number;
    await waitFor(() => workerLedgerLines(ledger) >= 4, 'device work in the ledger');
    const [emulatorPid] = childPids(pid, ' emulator ');
    expect(emulatorPid).toBeGreaterThan(0);
    const ready = JSON.parse(readFileSync(join(out, 'emulator-ready.json'), 'utf8')) as {
      controlPlaneUrl: string;
      mqttHost: string;
      mqttPort: number;
    };
    expect(await refused(new URL(ready.controlPlaneUrl))).toBe(false);

    run.child.kill('SIGKILL');
    await run.finished;
    const killedAt = Date.now();
    await waitFor(() => !isRunning(emulatorPid as number), 'the emulator to end', 10_000);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(1_000);
    expect(await refused(new URL(ready.controlPlaneUrl))).toBe(true);
    expect(await refused(new URL(`mqtts://${ready.mqttHost}:${ready.mqttPort}`))).toBe(true);
  }, 180_000);
});
