import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResumeState } from '../../src/engine/resume-state.js';
import { runScenarios } from '../../src/engine/run.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { testConfig } from '../support/offline-target.js';

describe('a resumed run (engine)', () => {
  it('runs only the devices the stopped attempt did not finish, with prepare’s ctx.shared restored, and counts the whole run once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-engine-resume-'));
    const ledgerPath = join(dir, 'ledger.jsonl');
    const devices = 100;
    const stop = new AbortController();
    // sleepy: every 10th device fails (auth_rejected), every device's Register is throttled once.
    const first = await runScenarios(
      testConfig({
        devices,
        model: { kind: 'constant-rate', rate: 80 },
        ledgerPath,
        resume: new ResumeState(dir, 1),
        signal: stop.signal,
        onProgress: (progress) => {
          if (progress.succeeded + progress.failed >= 25) stop.abort();
        },
      }),
    );
    expect(first.partial).toBe(true);
    const firstDone = first.scenarios[0]?.summary.devices;
    expect((firstDone?.succeeded ?? 0) + (firstDone?.failed ?? 0)).toBeLessThan(devices);

    const second = await runScenarios(
      testConfig({
        devices,
        model: { kind: 'constant-rate', rate: 80 },
        ledgerPath,
        resume: new ResumeState(dir, 2, first.startedAt),
      }),
    );
    expect(second.partial).toBe(false);
    expect(second.startedAt).toBe(first.startedAt);
    expect(second.resumed?.times).toBe(1);
    const scenario = second.scenarios[0];
    expect(scenario?.summary.devices).toEqual({ requested: devices, succeeded: 90, failed: 10 });
    expect(scenario?.devicesStarted).toBe(devices);
    expect(LatencyHistogram.decode(scenario?.timeToConnected as never).count).toBe(90);
    // Each device's own calls, from both attempts: one call and one throttled retry each.
    expect(scenario?.apiCalls.Register).toEqual({
      calls: devices,
      attempts: 2 * devices,
      retries: { throttled: devices },
    });
    expect(scenario?.errors.find((error) => error.phase === 'connect')?.count).toBe(10);
    expect(scenario?.phases.boot?.histogram.count).toBe(90);
    // prepare did not run again: the devices got its ctx.shared from the run dir.
    expect(scenario?.phases['prepare:setup']).toBeUndefined();
  }, 60_000);
});
