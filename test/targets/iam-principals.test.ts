import { describe, expect, it } from 'vitest';
import { iamActorsKey } from '../../src/contract/iam.js';
import { iamFileSchema } from '../../src/emulator/control-plane/index.js';
import { runIam } from '../../src/targets/iam-principals.js';

const policy = (action: string) => ({
  Version: '2012-10-17' as const,
  Statement: [{ Effect: 'Allow' as const, Action: `iot:${action}`, Resource: '*' }],
});

describe('the embedded run IAM file', () => {
  it('one user per scenario and actor with exactly its policy, the harness, one bootstrap user', () => {
    const iam = runIam({
      'pre-issued': { operator: policy('CreatePolicy'), factory: policy('CreateThing') },
      krypton: { operator: policy('CreatePolicy'), bootstrap: policy('CreateKeysAndCertificate') },
    });
    expect(iamFileSchema.safeParse(iam.file).success).toBe(true);
    const byName = Object.fromEntries(iam.file.principals.map((principal) => [principal.name, principal]));
    expect(Object.keys(byName).sort()).toEqual([
      'krypton-operator',
      'pre-issued-factory',
      'pre-issued-operator',
      'provbench-bootstrap',
      'provbench-harness',
    ]);
    expect(byName['pre-issued-factory']?.policies).toEqual([policy('CreateThing')]);
    expect(byName['provbench-bootstrap']?.policies).toEqual([policy('CreateKeysAndCertificate')]);
    expect(iam.file.services).toEqual({ krypton: 'provbench-bootstrap' });
    expect(iam.actors['pre-issued']?.factory?.accessKeyId).toBe(byName['pre-issued-factory']?.accessKeyId);
    expect(iam.actors.krypton?.bootstrap).toBeUndefined();
    expect(iam.harness.accessKeyId).toBe(byName['provbench-harness']?.accessKeyId);
    // Fresh keys, all different.
    const keys = iam.file.principals.map((principal) => principal.accessKeyId);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^AKIA[A-Z2-7]{16}$/);
  });

  it("a scenario run in two variants: one user per variant and actor, each with its variant's policy and key", () => {
    const iam = runIam({
      [iamActorsKey('jitp', 'plain')]: { operator: policy('CreatePolicy') },
      [iamActorsKey('jitp', 'role-alias-credentials')]: { operator: policy('CreateRoleAlias') },
    });
    const byName = Object.fromEntries(iam.file.principals.map((principal) => [principal.name, principal]));
    expect(byName['jitp-plain-operator']?.policies).toEqual([policy('CreatePolicy')]);
    expect(byName['jitp-role-alias-credentials-operator']?.policies).toEqual([policy('CreateRoleAlias')]);
    expect(iam.actors['jitp:plain']?.operator?.accessKeyId).toBe(byName['jitp-plain-operator']?.accessKeyId);
    expect(iam.actors['jitp:role-alias-credentials']?.operator?.accessKeyId).toBe(
      byName['jitp-role-alias-credentials-operator']?.accessKeyId,
    );
    expect(iamActorsKey('pre-issued', null)).toBe('pre-issued');
  });

  it('without a declared bootstrap policy the bootstrap service acts with the run credentials', () => {
    const iam = runIam({ custom: { operator: policy('CreatePolicy') } });
    expect(iam.file.services).toEqual({ krypton: 'provbench-harness' });
  });
});
