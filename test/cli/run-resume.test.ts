import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetPolicyCommand,
  ListCertificatesCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { deviceName } from '../../src/engine/device-share.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import type { RunResult } from '../../src/metrics/result-schema.js';
import { readLedger } from '../../src/targets/ledger.js';
import { provbench, startProvbench, waitFor } from '../support/provbench-cli.js';
import {
  cutOffDevices,
  emulatorClient,
  journaled,
  journalLines,
  resultOf,
  resumableRunArgs,
  withSavedState,
} from '../support/resume-run.js';

const DEVICES = 80;

/** A small, fast run of pre-issued on the embedded emulator. */
function runArgs(out: string, extra: string[] = []): string[] {
  return resumableRunArgs(out, 'pre-issued', DEVICES, extra);
}

/** The whole run counted once: every device once, in the counts, the histogram and the API calls. */
function expectWholeRun(result: RunResult): void {
  expect(result.partial).toBe(false);
  const scenario = result.scenarios[0];
  expect(scenario?.summary.devices).toEqual({ requested: DEVICES, succeeded: DEVICES, failed: 0 });
  expect(scenario?.devicesStarted).toBe(DEVICES);
  expect(LatencyHistogram.decode(scenario?.timeToConnected as never).count).toBe(DEVICES);
  expect(scenario?.apiCalls.CreateKeysAndCertificate?.calls).toBe(DEVICES);
  expect(scenario?.apiCalls.CreateThing?.calls).toBe(DEVICES);
  expect(scenario?.series.reduce((sum, point) => sum + point.succeeded, 0)).toBe(DEVICES);
}

describe('provbench run --resume', () => {
  it('continues a run killed with SIGKILL: finished devices are not run again, cut-off ones are cleaned up and run again, nothing is left', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pb-resume-kill-'));
    const first = startProvbench(runArgs(out, ['--keep-resources']), {}, 60_000);
    await waitFor(() => journalLines(out) >= 20, '20 finished devices in the journal', 45_000);
    first.child.kill('SIGKILL');
    expect((await first.finished).signal).toBe('SIGKILL');
    expect(existsSync(join(out, 'result.json'))).toBe(false);
    const finishedBefore = journaled(out);
    const cutOff = cutOffDevices(out);
    expect(finishedBefore.size).toBeLessThan(DEVICES);
    // Devices were in flight (4 at a time): some have ledger entries but did not finish.
    expect(cutOff.length).toBeGreaterThan(0);

    const resumed = await provbench(['run', '--resume', out, '--progress', 'off'], {}, 60_000);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`resumed once: ${cutOff.length} devices cut off mid-way ran again`);
    const result = resultOf(out);
    expectWholeRun(result);
    expect(result.resumed).toEqual({ times: 1, rerunDevices: cutOff.length });
    // prepare's policy was still there: restored, not made again.
    expect(result.scenarios[0]?.setupApiCalls?.CreatePolicy).toBeUndefined();
    const records = readFileSync(join(out, 'devices.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(records).toHaveLength(DEVICES);
    expect(journaled(out).size).toBe(DEVICES);

    // The kept resources, served by an emulator on the run's saved state: one thing per device,
    // one certificate on each; then the ledger's cleanup leaves nothing.
    await withSavedState(out, async ({ iot, controlPlaneUrl, region }) => {
      const things = (await iot.send(new ListThingsCommand({ maxResults: 250 }))).things ?? [];
      const expected = Array.from({ length: DEVICES }, (_, index) =>
        deviceName(result.runId, 'pre-issued', index),
      );
      expect(things.map((thing) => thing.thingName).sort()).toEqual(expected.sort());
      const certificates = (await iot.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates;
      expect(certificates).toHaveLength(DEVICES);
      for (const thingName of expected) {
        const principals = await iot.send(new ListThingPrincipalsCommand({ thingName }));
        expect(principals.principals, thingName).toHaveLength(1);
      }

      const cleanup = await provbench(
        ['cleanup', '--ledger', join(out, 'ledger.jsonl'), '--endpoint-url', controlPlaneUrl],
        { AWS_REGION: region },
        60_000,
      );
      expect(cleanup.code, cleanup.stderr).toBe(0);
      expect((await iot.send(new ListThingsCommand({}))).things).toEqual([]);
      expect((await iot.send(new ListCertificatesCommand({}))).certificates).toEqual([]);
      const policies = readLedger(join(out, 'ledger.jsonl')).filter(
        (entry) => entry.resource.kind === 'policy',
      );
      expect(policies).toHaveLength(1);
      await expect(
        iot.send(new GetPolicyCommand({ policyName: policies[0]?.resource.name })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });

    // A finished run: nothing to resume. Flags that would change the run: refused.
    const again = await provbench(['run', '--resume', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('finished (its result.json is complete): nothing to resume');
    const changed = await provbench(['run', '--resume', out, '--devices', '10', '--seed', '2']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('drop --devices, --seed');
  }, 150_000);

  it('continues a run stopped with Ctrl-C, whose cleanup ran: prepare runs again, the result covers the whole run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pb-resume-int-'));
    const first = startProvbench(runArgs(out), {}, 60_000);
    // Not while it runs (run.json is written before its emulator starts): two attempts would
    // run the same devices.
    await waitFor(() => existsSync(join(out, 'run.json')), 'run.json', 30_000);
    const early = await provbench(['run', '--resume', out]);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain(`is still running (process ${first.child.pid})`);
    await waitFor(() => journalLines(out) >= 20, '20 finished devices in the journal', 45_000);
    first.child.kill('SIGINT');
    const stopped = await first.finished;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(resultOf(out).partial).toBe(true);
    expect(stopped.stdout).toContain(`continue it with provbench run --resume ${out}`);
    // The stop's cleanup deleted prepare's policy: a resume must not count on it.
    expect(existsSync(join(out, 'prepared-0.json'))).toBe(false);
    const finishedBefore = journaled(out).size;
    expect(finishedBefore).toBeLessThan(DEVICES);

    const resumed = await provbench(['run', '--resume', out, '--progress', 'off'], {}, 60_000);
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = resultOf(out);
    expectWholeRun(result);
    expect(result.resumed?.times).toBe(1);
    // prepare ran again in the resume (setup calls are the last attempt's).
    expect(result.scenarios[0]?.setupApiCalls?.CreatePolicy?.calls).toBe(1);
    // Everything the ledger lists was deleted, and the emulator's saved state went with the run.
    expect(readLedger(join(out, 'ledger.jsonl')).filter((entry) => !entry.deleted)).toEqual([]);
    expect(existsSync(join(out, 'emulator-state'))).toBe(false);
  }, 150_000);

  it('resumes twice across scenarios: a finished scenario is kept, JITR restarts its activator, krypton configures its SIM group again', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pb-resume-two-'));
    const devices = 40;
    const args = runArgs(out, ['--keep-resources']).map((arg) =>
      arg === String(DEVICES) ? String(devices) : arg,
    );
    args[args.indexOf('pre-issued')] = 'jitr,krypton';
    const of = (scenario: number, attempt: number) => () =>
      existsSync(join(out, 'devices.jsonl')) &&
      readFileSync(join(out, 'devices.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line.includes(`"scenario":${scenario},`) && line.includes(`"attempt":${attempt},`))
        .length >= 10;

    const first = startProvbench(args, {}, 60_000);
    await waitFor(of(0, 1), '10 JITR devices finished', 45_000);
    first.child.kill('SIGKILL');
    await first.finished;
    expect(existsSync(join(out, 'prepared-0.json'))).toBe(true);

    const second = startProvbench(['run', '--resume', out, '--progress', 'off'], {}, 60_000);
    await waitFor(of(1, 2), '10 krypton devices finished in the first resume', 45_000);
    second.child.kill('SIGKILL');
    await second.finished;
    const jitrResult = JSON.parse(readFileSync(join(out, 'scenario-0.json'), 'utf8')) as unknown;

    const third = await provbench(['run', '--resume', out, '--progress', 'off'], {}, 60_000);
    expect(third.code, third.stderr).toBe(0);
    const result = resultOf(out);
    expect(result.resumed?.times).toBe(2);
    expect(result.scenarios.map((scenario) => scenario.summary.devices)).toEqual([
      { requested: devices, succeeded: devices, failed: 0 },
      { requested: devices, succeeded: devices, failed: 0 },
    ]);
    expect(result.scenarios.map((scenario) => scenario.devicesStarted)).toEqual([devices, devices]);
    // JITR finished in the first resume: its result is the one saved then (priced now).
    const { cost, ...jitr } = result.scenarios[0] as NonNullable<RunResult['scenarios'][0]>;
    expect(cost).toBeDefined();
    expect(jitr).toEqual(jitrResult);
    // Each scenario was resumed on what prepare left (its resume hook), not prepared again.
    expect(result.scenarios[0]?.phases['prepare:resume']).toBeDefined();
    expect(result.scenarios[1]?.phases['prepare:resume']).toBeDefined();
    expect(result.scenarios[1]?.setupApiCalls?.CreatePolicy).toBeUndefined();
  }, 150_000);

  it('continues a killed run against a standalone emulator (a remote target) that kept its resources', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pb-resume-remote-'));
    const readyPath = join(out, 'standalone-ready.json');
    const emulator = startProvbench(
      ['emulator', '--quotas', 'none', '--device-keys', 'ec-p256', '--ready-file', readyPath],
      {},
      120_000,
    );
    try {
      await waitFor(() => existsSync(readyPath), 'the standalone emulator', 30_000);
      const first = startProvbench(runArgs(out, ['--ready-file', readyPath, '--keep-resources']), {}, 60_000);
      await waitFor(() => journalLines(out) >= 20, '20 finished devices in the journal', 45_000);
      first.child.kill('SIGKILL');
      await first.finished;
      const cutOff = cutOffDevices(out);

      const resumed = await provbench(['run', '--resume', out, '--progress', 'off'], {}, 60_000);
      expect(resumed.code, resumed.stderr).toBe(0);
      const result = resultOf(out);
      expectWholeRun(result);
      expect(result.resumed).toEqual({ times: 1, rerunDevices: cutOff.length });
      expect(result.environment.target).toBe('localstack');

      const ready = JSON.parse(readFileSync(readyPath, 'utf8')) as {
        controlPlaneUrl: string;
        region: string;
      };
      const iot = emulatorClient(ready);
      try {
        const things = (await iot.send(new ListThingsCommand({ maxResults: 250 }))).things ?? [];
        expect(things).toHaveLength(DEVICES);
        for (const thing of things) {
          const principals = await iot.send(new ListThingPrincipalsCommand({ thingName: thing.thingName }));
          expect(principals.principals, thing.thingName).toHaveLength(1);
        }
      } finally {
        iot.destroy();
      }
    } finally {
      emulator.child.kill('SIGTERM');
      await emulator.finished;
    }
  }, 150_000);
});
