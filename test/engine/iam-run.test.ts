import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunResult } from '../../src/metrics/result-schema.js';
import { provbench } from '../support/provbench-cli.js';

describe('provbench run on the embedded target with each actor holding only its declared IAM policy', () => {
  const out = mkdtempSync(join(tmpdir(), 'provbench-iam-run-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('the declared policies suffice (pre-issued, jitr, krypton); one action short, every device is denied (auth_rejected)', async () => {
    const run = await provbench(
      [
        'run',
        '--scenario',
        'pre-issued,jitr,krypton,./test/support/scenarios/pre-issued-narrowed.ts',
        '--devices',
        '2',
        '--key-type',
        'ec',
        '--out',
        out,
        '--progress',
        'off',
      ],
      {},
      300_000,
    );
    // Devices failed, so the default threshold (every device provisioned) fails.
    expect(run.code, run.stderr).toBe(99);
    expect(statSync(join(out, 'emulator-iam.json')).mode & 0o777).toBe(0o600);
    const result = parseRunResult(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
    const byId = Object.fromEntries(
      result.scenarios.map((scenario) => [scenario.summary.scenario, scenario]),
    );
    for (const id of ['pre-issued', 'jitr', 'krypton']) {
      const scenario = byId[id];
      expect(
        scenario?.errors.map((error) => error.sample),
        id,
      ).toEqual([]);
      expect(scenario?.summary.devices).toEqual({ requested: 2, succeeded: 2, failed: 0 });
    }
    expect(Object.keys(byId['pre-issued']?.iamPolicies ?? {})).toEqual(['operator', 'factory']);
    expect(Object.keys(byId.jitr?.iamPolicies ?? {})).toEqual(['operator', 'activator']);
    // The Krypton service signed as the run's bootstrap user, holding krypton's bootstrap policy.
    expect(Object.keys(byId.krypton?.iamPolicies ?? {})).toEqual(['operator', 'bootstrap']);
    const iamFile = JSON.parse(readFileSync(join(out, 'emulator-iam.json'), 'utf8'));
    expect(iamFile.services).toEqual({ krypton: 'provbench-bootstrap' });

    const narrowed = byId['pre-issued-narrowed'];
    expect(narrowed?.summary.devices).toEqual({ requested: 2, succeeded: 0, failed: 2 });
    expect(narrowed?.summary.errors).toMatchObject({ auth_rejected: 2, protocol_error: 0, timeout: 0 });
    const [denied] = narrowed?.errors ?? [];
    expect(denied?.errorClass).toBe('auth_rejected');
    expect(denied?.sample).toContain('AccessDeniedException');
    expect(denied?.sample).toMatch(
      /user\/pre-issued-narrowed-factory is not authorized to perform: iot:AttachThingPrincipal on resource: arn:aws:iot:us-east-1:123456789012:thing\/\S+ because no identity-based policy allows the iot:AttachThingPrincipal action/,
    );
  }, 320_000);
});
