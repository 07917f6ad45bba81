import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleAliasCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRoleAliasesCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupFromLedger } from '../../src/targets/cleanup.js';
import { FileLedger } from '../../src/targets/ledger.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

let test: TestEmulator;
const document = (action: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [], deviceKeyAlgorithm: 'ec-p256' });
});

afterAll(async () => {
  await test?.close();
});

describe('cleanup of role aliases and policy versions', () => {
  it('deletes a policy with non-default versions (versions first), a recorded version and a role alias', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pb-ledger-')), 'ledger.jsonl');
    const ledger = new FileLedger(path, 'run-roles', 'm0');
    const { iot } = test;
    await ledger.track({ kind: 'policy', name: 'run-roles-device' }, () =>
      iot.send(
        new CreatePolicyCommand({ policyName: 'run-roles-device', policyDocument: document('iot:Connect') }),
      ),
    );
    const version = await ledger.track(
      { kind: 'policy-version', policyName: 'run-roles-device' },
      () =>
        iot.send(
          new CreatePolicyVersionCommand({
            policyName: 'run-roles-device',
            policyDocument: document('iot:Publish'),
          }),
        ),
      (result) => ({ id: result.policyVersionId }),
    );
    expect(version.policyVersionId).toBe('2');
    // A version the ledger never saw (made by hand or by a crashed run) must not block DeletePolicy.
    await iot.send(
      new CreatePolicyVersionCommand({
        policyName: 'run-roles-device',
        policyDocument: document('iot:Subscribe'),
        setAsDefault: true,
      }),
    );
    const { certificateArn } = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: false }));
    await iot.send(new AttachPolicyCommand({ policyName: 'run-roles-device', target: certificateArn }));
    await ledger.track({ kind: 'role-alias', name: 'run-roles-alias' }, () =>
      iot.send(
        new CreateRoleAliasCommand({
          roleAlias: 'run-roles-alias',
          roleArn: 'arn:aws:iam::123456789012:role/r',
        }),
      ),
    );
    ledger.close();

    const report = await cleanupFromLedger(iot, path, { concurrency: 1 });
    expect(report.failed).toEqual([]);
    expect(report.deleted).toMatchObject({ policy: 1, 'policy-version': 1, 'role-alias': 1 });
    const policies = await iot.send(new ListPoliciesCommand({}));
    expect(policies.policies?.map((p) => p.policyName)).not.toContain('run-roles-device');
    await expect(
      iot.send(new ListPolicyVersionsCommand({ policyName: 'run-roles-device' })),
    ).rejects.toThrow();
    expect((await iot.send(new ListRoleAliasesCommand({}))).roleAliases).toEqual([]);

    // Idempotent: a second pass finds everything gone and fails nothing.
    const again = await cleanupFromLedger(iot, path, { concurrency: 1 });
    expect(again.failed).toEqual([]);
  });
});
