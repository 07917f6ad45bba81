import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressDisplay } from '../../src/cli/progress.js';
import type { RunProgress } from '../../src/engine/run.js';

function capture(isTTY = false): { stream: PassThrough & { isTTY?: boolean }; lines: () => string[] } {
  const stream: PassThrough & { isTTY?: boolean } = new PassThrough();
  stream.isTTY = isTTY;
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, lines: () => text.split('\n').filter((line) => line.length > 0) };
}

function progress(overrides: Partial<RunProgress>): RunProgress {
  return {
    scenario: 'pre-issued',
    scenarioNumber: 1,
    scenarioCount: 2,
    total: 100,
    started: 0,
    succeeded: 0,
    failed: 0,
    stage: 'prepare',
    ...overrides,
  };
}

describe('progress when stderr is not a terminal', () => {
  it('prints a plain line on each stage change and then at most one per interval', async () => {
    let clock = 0;
    const { stream, lines } = capture();
    const display = createProgressDisplay(stream, { intervalMs: 10_000, now: () => clock });
    display.update(progress({ stage: 'prepare' }));
    display.update(progress({ stage: 'devices' }));
    for (let second = 1; second <= 25; second++) {
      clock = second * 1000;
      display.update(progress({ stage: 'devices', succeeded: second * 2, failed: second === 25 ? 1 : 0 }));
    }
    display.update(progress({ stage: 'teardown', succeeded: 50, failed: 1 }));
    clock = 60_000;
    display.update(progress({ stage: 'cleanup', succeeded: 50, failed: 1 }));
    clock = 65_000;
    display.update(
      progress({ stage: 'cleanup', succeeded: 50, failed: 1, cleanup: { done: 3, total: 200 } }),
    );
    clock = 75_000;
    display.update(
      progress({ stage: 'cleanup', succeeded: 50, failed: 1, cleanup: { done: 150, total: 200 } }),
    );
    display.update(progress({ scenario: 'byo-ca', scenarioNumber: 2, stage: 'prepare' }));
    display.stop();
    await new Promise((resolve) => setImmediate(resolve));
    const printed = lines();
    expect(printed).toEqual([
      'provbench: pre-issued (1/2) prepare',
      'provbench: pre-issued (1/2) devices: 0/100 devices, 0 failed, 0.0/s, ETA ?',
      'provbench: pre-issued (1/2) devices: 20/100 devices, 0 failed, 2.0/s, ETA 40s',
      'provbench: pre-issued (1/2) devices: 40/100 devices, 0 failed, 2.0/s, ETA 30s',
      'provbench: pre-issued (1/2) teardown: 51/100 devices, 1 failed, 2.0/s',
      'provbench: pre-issued (1/2) cleanup: 51/100 devices, 1 failed, 2.0/s',
      'provbench: pre-issued (1/2) cleanup: 51/100 devices, 1 failed, 2.0/s; cleanup 150/200 resources',
      'provbench: byo-ca (2/2) prepare',
    ]);
  });

  it('is silent with --progress off and prints no bar control codes in lines mode', async () => {
    const off = capture();
    const silent = createProgressDisplay(off.stream, { mode: 'off' });
    silent.update(progress({ stage: 'devices', succeeded: 3 }));
    silent.stop();
    const lines = capture(true);
    const plain = createProgressDisplay(lines.stream, { mode: 'lines' });
    plain.update(progress({ stage: 'devices', succeeded: 3 }));
    plain.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(off.lines()).toEqual([]);
    expect(lines.lines().length).toBeGreaterThan(0);
    expect(lines.lines().join('').includes(String.fromCharCode(27))).toBe(false);
  });
});
