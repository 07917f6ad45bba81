import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunResult, type ScenarioResult } from '../../src/metrics/result-schema.js';
import { provbench } from '../support/provbench-cli.js';

const OWN_POLICY_SCENARIOS = {
  'jitp-plain-policy': './test/support/scenarios/jitp-plain-policy.ts',
  'fleet-create-keys-policy': './test/support/scenarios/fleet-create-keys-policy.ts',
};
const VARIANTS = {
  jitp: ['plain', 'thing-type-and-group', 'role-alias-credentials'],
  'fleet-provisioning': ['create-keys', 'create-from-csr', 'thing-type-and-group', 'role-alias-credentials'],
};
/** The first call of each template variant that its pattern's own variants do not make. */
const FIRST_EXTRA_CALL = {
  'thing-type-and-group': { action: 'iot:CreateThingType', resource: 'thingtype' },
  'role-alias-credentials': { action: 'iot:CreateRoleAlias', resource: 'rolealias' },
};

describe('jitp and fleet-provisioning under the embedded IAM: each variant holds exactly its own operator policy', () => {
  const out = mkdtempSync(join(tmpdir(), 'provbench-iam-variants-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('every variant provisions with its own policy; with the policy of a plain variant, a template variant is denied its first extra call', async () => {
    const specs = [
      ...Object.entries(VARIANTS).flatMap(([id, variants]) => variants.map((variant) => `${id}:${variant}`)),
      ...Object.values(OWN_POLICY_SCENARIOS).flatMap((file) =>
        Object.keys(FIRST_EXTRA_CALL).map((variant) => `${file}:${variant}`),
      ),
    ];
    const run = await provbench(
      [
        'run',
        '--scenario',
        specs.join(','),
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
      420_000,
    );
    // The denied scenarios' prepare failed: exit 107.
    expect(run.code, run.stderr).toBe(107);
    const prepareFailedLine =
      run.stderr.split('\n').find((line) => line.includes('prepare failed for ')) ?? '';
    const result = parseRunResult(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
    const byRun = new Map<string, ScenarioResult>(
      result.scenarios.map((scenario) => [`${scenario.summary.scenario}:${scenario.variant}`, scenario]),
    );
    expect(byRun.size).toBe(specs.length);

    for (const [id, variants] of Object.entries(VARIANTS)) {
      for (const variant of variants) {
        const scenario = byRun.get(`${id}:${variant}`);
        expect(
          scenario?.errors.map((error) => error.sample),
          `${id}:${variant}`,
        ).toEqual([]);
        expect(scenario?.summary.devices, `${id}:${variant}`).toEqual({
          requested: 2,
          succeeded: 2,
          failed: 0,
        });
      }
    }
    // One operator per scenario and variant, each holding that variant's policy.
    const iamFile = JSON.parse(readFileSync(join(out, 'emulator-iam.json'), 'utf8')) as {
      principals: Array<{
        name: string;
        policies: Array<{ Statement: Array<{ Action: string | string[] }> }>;
      }>;
    };
    const operatorActions = (name: string) =>
      iamFile.principals
        .find((principal) => principal.name === name)
        ?.policies.flatMap((policy) => policy.Statement.flatMap((statement) => [statement.Action].flat()));
    expect(operatorActions('jitp-plain-operator')).not.toContain('iot:CreateThingType');
    expect(operatorActions('jitp-thing-type-and-group-operator')).toContain('iot:CreateThingType');
    expect(operatorActions('jitp-thing-type-and-group-operator')).not.toContain('iot:CreateRoleAlias');
    expect(operatorActions('fleet-provisioning-role-alias-credentials-operator')).toContain(
      'iot:CreateRoleAlias',
    );

    for (const id of Object.keys(OWN_POLICY_SCENARIOS)) {
      for (const [variant, { action, resource }] of Object.entries(FIRST_EXTRA_CALL)) {
        const scenario = byRun.get(`${id}:${variant}`);
        expect(scenario?.prepareFailed, `${id}:${variant}`).toBe(true);
        // The exit message names the scenario with its variant.
        expect(prepareFailedLine).toContain(`${id}:${variant}`);
        expect(scenario?.summary.devices.succeeded).toBe(0);
        const [denied, ...others] = scenario?.errors ?? [];
        expect(others).toEqual([]);
        expect(denied?.errorClass).toBe('auth_rejected');
        expect(denied?.sample).toContain('AccessDeniedException');
        expect(denied?.sample).toContain(
          `user/${id}-${variant}-operator is not authorized to perform: ${action} on resource: arn:aws:iot:us-east-1:123456789012:${resource}/`,
        );
      }
    }
  }, 440_000);
});
