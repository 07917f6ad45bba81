import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleAliasCommand,
  DeleteConflictException,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleAliasCommand,
  DescribeRoleAliasCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  InvalidRequestException,
  LimitExceededException,
  ListPoliciesCommand,
  ListPolicyPrincipalsCommand,
  ListPolicyVersionsCommand,
  ListPrincipalPoliciesCommand,
  ListRoleAliasesCommand,
  ListTagsForResourceCommand,
  MalformedPolicyException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  SetDefaultPolicyVersionCommand,
  UpdateRoleAliasCommand,
  VersionsLimitExceededException,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IotRegistry } from '../../../src/emulator/registry/index.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

let test: TestEmulator;
const document = (action: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const roleArn = 'arn:aws:iam::123456789012:role/device-uploads';

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [], deviceKeyAlgorithm: 'ec-p256', quotas: 'none' });
});

afterAll(async () => {
  await test?.close();
});

describe('policy versions', () => {
  it('CreatePolicyVersion numbers versions, setAsDefault switches what GetPolicy returns', async () => {
    await test.iot.send(
      new CreatePolicyCommand({ policyName: 'pv', policyDocument: document('iot:Connect') }),
    );
    const second = await test.iot.send(
      new CreatePolicyVersionCommand({ policyName: 'pv', policyDocument: document('iot:Publish') }),
    );
    expect(second).toMatchObject({
      policyArn: 'arn:aws:iot:us-east-1:123456789012:policy/pv',
      policyVersionId: '2',
      isDefaultVersion: false,
    });
    expect((await test.iot.send(new GetPolicyCommand({ policyName: 'pv' }))).defaultVersionId).toBe('1');
    const third = await test.iot.send(
      new CreatePolicyVersionCommand({
        policyName: 'pv',
        policyDocument: document('iot:Subscribe'),
        setAsDefault: true,
      }),
    );
    expect(third).toMatchObject({ policyVersionId: '3', isDefaultVersion: true });
    const policy = await test.iot.send(new GetPolicyCommand({ policyName: 'pv' }));
    expect(policy.defaultVersionId).toBe('3');
    expect(policy.policyDocument).toBe(document('iot:Subscribe'));

    const listed = await test.iot.send(new ListPolicyVersionsCommand({ policyName: 'pv' }));
    // Newest first, as in AWS's list-policy-versions example.
    expect(listed.policyVersions?.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([
      ['3', true],
      ['2', false],
      ['1', false],
    ]);
    expect(listed.policyVersions?.[0]?.createDate).toBeInstanceOf(Date);

    const one = await test.iot.send(new GetPolicyVersionCommand({ policyName: 'pv', policyVersionId: '1' }));
    expect(one).toMatchObject({
      policyName: 'pv',
      policyDocument: document('iot:Connect'),
      isDefaultVersion: false,
    });
    expect(one.generationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('SetDefaultPolicyVersion, DeletePolicyVersion (never the default), IDs not reused', async () => {
    await test.iot.send(new SetDefaultPolicyVersionCommand({ policyName: 'pv', policyVersionId: '2' }));
    expect((await test.iot.send(new GetPolicyCommand({ policyName: 'pv' }))).policyDocument).toBe(
      document('iot:Publish'),
    );
    const refused = await test.iot
      .send(new DeletePolicyVersionCommand({ policyName: 'pv', policyVersionId: '2' }))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DeleteConflictException);
    expect((refused as DeleteConflictException).$metadata.httpStatusCode).toBe(409);
    await test.iot.send(new DeletePolicyVersionCommand({ policyName: 'pv', policyVersionId: '3' }));
    await expect(
      test.iot.send(new GetPolicyVersionCommand({ policyName: 'pv', policyVersionId: '3' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    const next = await test.iot.send(
      new CreatePolicyVersionCommand({ policyName: 'pv', policyDocument: document('iot:Receive') }),
    );
    expect(next.policyVersionId).toBe('4');
  });

  it('at most five versions: VersionsLimitExceededException (409); malformed documents refused', async () => {
    await test.iot.send(
      new CreatePolicyCommand({ policyName: 'five', policyDocument: document('iot:Connect') }),
    );
    for (let index = 0; index < 4; index += 1) {
      await test.iot.send(
        new CreatePolicyVersionCommand({ policyName: 'five', policyDocument: document('iot:Publish') }),
      );
    }
    const sixth = await test.iot
      .send(new CreatePolicyVersionCommand({ policyName: 'five', policyDocument: document('iot:Publish') }))
      .catch((error: unknown) => error);
    expect(sixth).toBeInstanceOf(VersionsLimitExceededException);
    expect((sixth as VersionsLimitExceededException).$metadata.httpStatusCode).toBe(409);
    await expect(
      test.iot.send(new CreatePolicyVersionCommand({ policyName: 'pv', policyDocument: '{"Statement":[]}' })),
    ).rejects.toBeInstanceOf(MalformedPolicyException);
    await expect(
      test.iot.send(
        new CreatePolicyVersionCommand({ policyName: 'absent', policyDocument: document('iot:*') }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('DeletePolicy is refused while non-default versions exist, then deletes the default with it', async () => {
    const refused = await test.iot
      .send(new DeletePolicyCommand({ policyName: 'pv' }))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DeleteConflictException);
    expect((refused as Error).message).toMatch(/versions other than/);
    for (const version of (await test.iot.send(new ListPolicyVersionsCommand({ policyName: 'pv' })))
      .policyVersions ?? []) {
      if (!version.isDefaultVersion) {
        await test.iot.send(
          new DeletePolicyVersionCommand({ policyName: 'pv', policyVersionId: version.versionId }),
        );
      }
    }
    await test.iot.send(new DeletePolicyCommand({ policyName: 'pv' }));
    await expect(test.iot.send(new ListPolicyVersionsCommand({ policyName: 'pv' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('versions and role aliases survive a snapshot; state saved before versions gets version 1 back', () => {
    const { registry } = test.emulator;
    const snapshot = registry.toSnapshot();
    const restored = new IotRegistry({ region: registry.region, accountId: registry.accountId });
    restored.loadSnapshot(JSON.parse(JSON.stringify(snapshot)));
    expect(restored.policyVersions.list('five').map((v) => v.versionId)).toEqual(['1', '2', '3', '4', '5']);
    expect(() => restored.policyVersions.create('five', document('iot:Connect'), false)).toThrow(/maximum/);

    const legacy = {
      ...JSON.parse(JSON.stringify(snapshot)),
      policyVersions: undefined,
      roleAliases: undefined,
    };
    const older = new IotRegistry({ region: registry.region, accountId: registry.accountId });
    older.loadSnapshot(legacy);
    expect(older.policyVersions.list('five')).toEqual([
      expect.objectContaining({
        versionId: '1',
        isDefaultVersion: true,
        policyDocument: document('iot:Connect'),
      }),
    ]);
    expect(older.policyVersions.create('five', document('iot:Publish'), true).versionId).toBe('2');
    expect(older.describePolicy('five').policyDocument).toBe(document('iot:Publish'));
  });
});

describe('ListPolicies paging and the principal-policy calls', () => {
  it('ListPolicies pages with pageSize and marker without repeating or skipping', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) {
      await test.iot.send(
        new CreatePolicyCommand({ policyName: name, policyDocument: document('iot:Connect') }),
      );
    }
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await test.iot.send(new ListPoliciesCommand({ pageSize: 2, marker }));
      names.push(...(page.policies ?? []).map((p) => p.policyName!));
      marker = page.nextMarker;
    } while (marker);
    expect(names.filter((n) => n.startsWith('page-'))).toEqual(['page-a', 'page-b', 'page-c']);
    expect(new Set(names).size).toBe(names.length);
  });

  it('ListPrincipalPolicies (x-amzn-iot-principal) and ListPolicyPrincipals (x-amzn-iot-policy)', async () => {
    const { certificateArn } = await test.iot.send(
      new CreateKeysAndCertificateCommand({ setAsActive: true }),
    );
    await test.iot.send(new AttachPolicyCommand({ policyName: 'page-a', target: certificateArn }));
    await test.iot.send(new AttachPolicyCommand({ policyName: 'page-b', target: certificateArn }));
    const policies = await test.iot.send(new ListPrincipalPoliciesCommand({ principal: certificateArn }));
    expect(policies.policies?.map((p) => p.policyName)).toEqual(['page-a', 'page-b']);
    const firstPage = await test.iot.send(
      new ListPrincipalPoliciesCommand({ principal: certificateArn, pageSize: 1 }),
    );
    expect(firstPage.policies).toHaveLength(1);
    expect(firstPage.nextMarker).toBeDefined();
    const principals = await test.iot.send(new ListPolicyPrincipalsCommand({ policyName: 'page-a' }));
    expect(principals.principals).toEqual([certificateArn]);
    await expect(
      test.iot.send(new ListPolicyPrincipalsCommand({ policyName: 'nope' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('role aliases', () => {
  it('CreateRoleAlias (default 3600 s, tags), DescribeRoleAlias, 409 on a second create', async () => {
    const created = await test.iot.send(
      new CreateRoleAliasCommand({ roleAlias: 'uploads', roleArn, tags: [{ Key: 'app', Value: 'pb' }] }),
    );
    expect(created).toMatchObject({
      roleAlias: 'uploads',
      roleAliasArn: 'arn:aws:iot:us-east-1:123456789012:rolealias/uploads',
    });
    const { roleAliasDescription } = await test.iot.send(
      new DescribeRoleAliasCommand({ roleAlias: 'uploads' }),
    );
    expect(roleAliasDescription).toMatchObject({
      roleAlias: 'uploads',
      roleArn,
      owner: '123456789012',
      credentialDurationSeconds: 3600,
    });
    expect(roleAliasDescription?.creationDate).toBeInstanceOf(Date);
    const tags = await test.iot.send(new ListTagsForResourceCommand({ resourceArn: created.roleAliasArn }));
    expect(tags.tags).toEqual([{ Key: 'app', Value: 'pb' }]);
    const again = await test.iot
      .send(new CreateRoleAliasCommand({ roleAlias: 'uploads', roleArn }))
      .catch((error: unknown) => error);
    expect(again).toBeInstanceOf(ResourceAlreadyExistsException);
    expect((again as ResourceAlreadyExistsException).resourceArn).toBe(created.roleAliasArn);
  });

  it('credentialDurationSeconds must be 900..43200; roleArn is required', async () => {
    for (const credentialDurationSeconds of [899, 43_201]) {
      await expect(
        test.iot.send(new CreateRoleAliasCommand({ roleAlias: 'bad', roleArn, credentialDurationSeconds })),
      ).rejects.toBeInstanceOf(InvalidRequestException);
    }
    await expect(
      test.iot.send(
        new CreateRoleAliasCommand({ roleAlias: 'bad', roleArn: undefined as unknown as string }),
      ),
    ).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(test.iot.send(new DescribeRoleAliasCommand({ roleAlias: 'bad' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('UpdateRoleAlias, ListRoleAliases paging, DeleteRoleAlias', async () => {
    await test.iot.send(new UpdateRoleAliasCommand({ roleAlias: 'uploads', credentialDurationSeconds: 900 }));
    const updated = await test.iot.send(new DescribeRoleAliasCommand({ roleAlias: 'uploads' }));
    expect(updated.roleAliasDescription).toMatchObject({ credentialDurationSeconds: 900, roleArn });
    await test.iot.send(new CreateRoleAliasCommand({ roleAlias: 'second', roleArn }));
    const first = await test.iot.send(new ListRoleAliasesCommand({ pageSize: 1 }));
    expect(first.roleAliases).toEqual(['uploads']);
    const rest = await test.iot.send(new ListRoleAliasesCommand({ pageSize: 1, marker: first.nextMarker }));
    expect(rest.roleAliases).toEqual(['second']);
    expect(rest.nextMarker).toBeUndefined();
    const descending = await test.iot.send(new ListRoleAliasesCommand({ ascendingOrder: false }));
    expect(descending.roleAliases).toEqual(['second', 'uploads']);
    await test.iot.send(new DeleteRoleAliasCommand({ roleAlias: 'second' }));
    await expect(test.iot.send(new DeleteRoleAliasCommand({ roleAlias: 'second' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      test.iot.send(new UpdateRoleAliasCommand({ roleAlias: 'second', roleArn })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('the account holds at most the quota of role aliases (LimitExceededException)', async () => {
    const limited = await startTestEmulator({
      listeners: [],
      deviceKeyAlgorithm: 'ec-p256',
      quotas: 'aws',
      quotaOverrides: { limits: { roleAliases: 1 } },
    });
    try {
      await limited.iot.send(new CreateRoleAliasCommand({ roleAlias: 'one', roleArn }));
      await expect(
        limited.iot.send(new CreateRoleAliasCommand({ roleAlias: 'two', roleArn })),
      ).rejects.toBeInstanceOf(LimitExceededException);
    } finally {
      await limited.close();
    }
  });
});
