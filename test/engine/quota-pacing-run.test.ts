import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunResult } from '../../src/metrics/result-schema.js';
import { provbench } from '../support/cli.js';

/** pre-issued at CreateKeysAndCertificate 2/s: every device makes the call, all at once. */
const DEVICES = 12;
const KEYS_PER_SECOND = 2;

async function run(dir: string, name: string, extra: string[]) {
  const out = join(dir, name);
  const finished = await provbench(
    [
      'run',
      '--scenario',
      'pre-issued',
      '--devices',
      String(DEVICES),
      '--concurrency',
      String(DEVICES),
      '--key-type',
      'ec',
      '--network',
      'none',
      '--progress',
      'off',
      '--out',
      out,
      ...extra,
    ],
    { limitMs: 240_000 },
  );
  const result = parseRunResult(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
  return { finished, result, scenario: result.scenarios[0]! };
}

describe('provbench run: factory and operator calls keep within the account quota', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-pacing-'));
  const quotaFile = join(dir, 'quotas.json');
  writeFileSync(
    quotaFile,
    JSON.stringify({ controlPlaneTps: { CreateKeysAndCertificate: KEYS_PER_SECOND } }),
  );

  it('paced: every device provisioned at the quota, throttling reported apart; unpaced it is throttled; --quotas none untouched', async () => {
    const [paced, unpaced, unlimited] = await Promise.all([
      run(dir, 'paced', ['--quota-file', quotaFile]),
      run(dir, 'unpaced', ['--quota-file', quotaFile, '--pacing', 'off', '--max-attempts', '3']),
      run(dir, 'unlimited', ['--quota-file', quotaFile, '--quotas', 'none']),
    ]);

    // Paced: no device failed, so the default gate passes.
    expect(paced.finished.code, paced.finished.stderr).toBe(0);
    expect(paced.scenario.summary.devices).toMatchObject({
      requested: DEVICES,
      succeeded: DEVICES,
      failed: 0,
    });
    expect(paced.result.config.pacing).toBe('quota');
    // Physics: the emulator admits 2 keys at once and 2 a second after, so 12 calls take at least
    // (12 - 2) / 2 = 5 s, and devices/s cannot beat 12 / 5.
    const boundMs = ((DEVICES - KEYS_PER_SECOND) / KEYS_PER_SECOND) * 1000;
    expect(paced.scenario.durationMs).toBeGreaterThanOrEqual(boundMs);
    expect(paced.scenario.summary.devicesPerSecond).toBeLessThanOrEqual(DEVICES / (boundMs / 1000));
    // The calls waited for their slots, and throttling is reported (retried apart from failed).
    const keys = paced.scenario.apiCalls.CreateKeysAndCertificate!;
    expect(keys.calls).toBe(DEVICES);
    expect(keys.pacedAttempts).toBeGreaterThan(0);
    expect(paced.scenario.throttling).toMatchObject({ failed: 0, pacedAttempts: expect.any(Number) });
    expect(paced.scenario.throttling?.retried).toBe(keys.retries?.throttled ?? 0);
    expect(paced.finished.stdout).toMatch(
      /pre-issued: 12\/12 connected.*; throttled: \d+ retried, 0 failed; \d+ calls waited/,
    );

    // Unpaced, 12 calls made at once meet a bucket of 2: throttled answers, retried or ending
    // calls, are counted; nothing waited for a slot.
    expect(unpaced.result.config.pacing).toBe('off');
    const unpacedKeys = unpaced.scenario.apiCalls.CreateKeysAndCertificate!;
    expect(unpacedKeys.pacedAttempts ?? 0).toBe(0);
    const throttled = unpaced.scenario.throttling!;
    expect(throttled.retried + throttled.failed).toBeGreaterThan(0);
    expect(throttled.retried).toBe(unpacedKeys.retries?.throttled ?? 0);
    expect(throttled.failed).toBe(unpacedKeys.failed?.throttled ?? 0);
    // A call that ran out of attempts failed its device: failed calls and failed devices agree.
    expect(unpaced.scenario.summary.errors.throttled ?? 0).toBe(throttled.failed);

    // --quotas none: no quota to keep, so nothing paced and nothing throttled.
    expect(unlimited.finished.code, unlimited.finished.stderr).toBe(0);
    expect(unlimited.result.config.pacing).toBe('off');
    expect(unlimited.scenario.throttling).toEqual({
      retried: 0,
      failed: 0,
      pacedAttempts: 0,
      pacedWaitMs: 0,
    });
  }, 250_000);
});
