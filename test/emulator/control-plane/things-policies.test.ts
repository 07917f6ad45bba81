import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteConflictException,
  DeletePolicyCommand,
  DeleteThingCommand,
  DescribeThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  GetPolicyCommand,
  InvalidRequestException,
  LimitExceededException,
  ListAttachedPoliciesCommand,
  ListPrincipalThingsCommand,
  ListTargetsForPolicyCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  MalformedPolicyException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UpdateThingCommand,
  VersionConflictException,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

let test: TestEmulator;
let certificateArn: string;
const document = (action: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [], deviceKeyAlgorithm: 'ec-p256' });
  certificateArn = (await test.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true })))
    .certificateArn!;
});

afterAll(async () => {
  await test?.close();
});

describe('things', () => {
  it('CreateThing is idempotent for the same request and 409 with the ARN otherwise', async () => {
    const attributePayload = { attributes: { serial: 'A1', model: 'x' } };
    const first = await test.iot.send(new CreateThingCommand({ thingName: 'meter-1', attributePayload }));
    expect(first.thingArn).toBe('arn:aws:iot:us-east-1:123456789012:thing/meter-1');
    expect(first.thingId).toMatch(/^[0-9a-f-]{36}$/);
    const again = await test.iot.send(
      new CreateThingCommand({
        thingName: 'meter-1',
        attributePayload: { attributes: { model: 'x', serial: 'A1' } },
      }),
    );
    expect(again.thingId).toBe(first.thingId);
    const conflict = await test.iot
      .send(
        new CreateThingCommand({ thingName: 'meter-1', attributePayload: { attributes: { serial: 'B2' } } }),
      )
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(ResourceAlreadyExistsException);
    expect((conflict as ResourceAlreadyExistsException).resourceArn).toBe(first.thingArn);
    expect((conflict as ResourceAlreadyExistsException).$metadata.httpStatusCode).toBe(409);
  });

  it('rejects names that break AWS constraints and unknown thing types', async () => {
    await expect(test.iot.send(new CreateThingCommand({ thingName: 'bad name!' }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    await expect(
      test.iot.send(new CreateThingCommand({ thingName: 'x'.repeat(129) })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(
      test.iot.send(new CreateThingCommand({ thingName: 'typed', thingTypeName: 'Sensor' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('DescribeThing, UpdateThing (replace, merge, version check) and DeleteThing', async () => {
    await test.iot.send(
      new CreateThingCommand({ thingName: 'meter-2', attributePayload: { attributes: { a: '1', b: '2' } } }),
    );
    const described = await test.iot.send(new DescribeThingCommand({ thingName: 'meter-2' }));
    expect(described).toMatchObject({
      thingName: 'meter-2',
      defaultClientId: 'meter-2',
      version: 1,
      attributes: { a: '1', b: '2' },
    });
    await test.iot.send(
      new UpdateThingCommand({
        thingName: 'meter-2',
        attributePayload: { attributes: { b: '', c: '3' }, merge: true },
        expectedVersion: 1,
      }),
    );
    expect(await test.iot.send(new DescribeThingCommand({ thingName: 'meter-2' }))).toMatchObject({
      version: 2,
      attributes: { a: '1', c: '3' },
    });
    await expect(
      test.iot.send(
        new UpdateThingCommand({
          thingName: 'meter-2',
          attributePayload: { attributes: {} },
          expectedVersion: 1,
        }),
      ),
    ).rejects.toBeInstanceOf(VersionConflictException);
    await test.iot.send(
      new UpdateThingCommand({ thingName: 'meter-2', attributePayload: { attributes: { z: '9' } } }),
    );
    expect((await test.iot.send(new DescribeThingCommand({ thingName: 'meter-2' }))).attributes).toEqual({
      z: '9',
    });
    await expect(
      test.iot.send(new DeleteThingCommand({ thingName: 'meter-2', expectedVersion: 1 })),
    ).rejects.toBeInstanceOf(VersionConflictException);
    await test.iot.send(new DeleteThingCommand({ thingName: 'meter-2' }));
    await expect(test.iot.send(new DescribeThingCommand({ thingName: 'meter-2' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await test.iot.send(new DeleteThingCommand({ thingName: 'meter-2' }));
    await expect(test.iot.send(new UpdateThingCommand({ thingName: 'meter-2' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('attaches principals both ways and refuses to delete a thing that still has one', async () => {
    await test.iot.send(new CreateThingCommand({ thingName: 'meter-3' }));
    await test.iot.send(new AttachThingPrincipalCommand({ thingName: 'meter-3', principal: certificateArn }));
    expect(
      (await test.iot.send(new ListThingPrincipalsCommand({ thingName: 'meter-3' }))).principals,
    ).toEqual([certificateArn]);
    expect(
      (await test.iot.send(new ListPrincipalThingsCommand({ principal: certificateArn }))).things,
    ).toContain('meter-3');
    expect(
      test.emulator.registry.thingsForPrincipal(certificateArn).map((thing) => thing.thingName),
    ).toContain('meter-3');
    await expect(test.iot.send(new DeleteThingCommand({ thingName: 'meter-3' }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    await expect(
      test.iot.send(
        new AttachThingPrincipalCommand({
          thingName: 'meter-3',
          principal: `${certificateArn.slice(0, -4)}beef`,
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      test.iot.send(
        new AttachThingPrincipalCommand({ thingName: 'no-such-thing', principal: certificateArn }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await test.iot.send(new DetachThingPrincipalCommand({ thingName: 'meter-3', principal: certificateArn }));
    await test.iot.send(new DeleteThingCommand({ thingName: 'meter-3' }));
    await expect(
      test.iot.send(new ListThingPrincipalsCommand({ thingName: 'meter-3' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('lists things with attribute filters and nextToken paging', async () => {
    for (let index = 0; index < 5; index += 1) {
      await test.iot.send(
        new CreateThingCommand({
          thingName: `list-${index}`,
          attributePayload: { attributes: { batch: index < 3 ? 'b1' : 'b2' } },
        }),
      );
    }
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await test.iot.send(
        new ListThingsCommand({ maxResults: 2, nextToken, attributeName: 'batch', attributeValue: 'b1' }),
      );
      names.push(...page.things!.map((thing) => thing.thingName!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(names).toEqual(['list-0', 'list-1', 'list-2']);
    const prefixed = await test.iot.send(
      new ListThingsCommand({ attributeName: 'batch', attributeValue: 'b', usePrefixAttributeValue: true }),
    );
    expect(prefixed.things).toHaveLength(5);
    await expect(test.iot.send(new ListThingsCommand({ maxResults: 0 }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
  });
});

describe('policies', () => {
  it('creates, gets and refuses duplicates and malformed documents', async () => {
    const created = await test.iot.send(
      new CreatePolicyCommand({ policyName: 'device-policy', policyDocument: document('iot:Connect') }),
    );
    expect(created).toMatchObject({
      policyName: 'device-policy',
      policyVersionId: '1',
      policyArn: 'arn:aws:iot:us-east-1:123456789012:policy/device-policy',
    });
    const fetched = await test.iot.send(new GetPolicyCommand({ policyName: 'device-policy' }));
    expect(fetched.policyDocument).toBe(document('iot:Connect'));
    expect(fetched.defaultVersionId).toBe('1');
    expect(fetched.creationDate).toBeInstanceOf(Date);
    const duplicate = await test.iot
      .send(new CreatePolicyCommand({ policyName: 'device-policy', policyDocument: document('iot:Publish') }))
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(ResourceAlreadyExistsException);
    expect((duplicate as Error).message).toBe(
      'Policy cannot be created - name already exists (name=device-policy)',
    );
    for (const bad of [
      '{not json',
      '{"Statement":[]}',
      '{"Statement":[{"Effect":"Maybe","Action":"iot:*","Resource":"*"}]}',
    ]) {
      await expect(
        test.iot.send(new CreatePolicyCommand({ policyName: 'bad', policyDocument: bad })),
      ).rejects.toBeInstanceOf(MalformedPolicyException);
    }
    await expect(test.iot.send(new GetPolicyCommand({ policyName: 'bad' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('attaches to a certificate ARN (percent-encoded in ListAttachedPolicies), lists targets, blocks delete while attached', async () => {
    await test.iot.send(
      new CreatePolicyCommand({ policyName: 'attach-me', policyDocument: document('iot:Publish') }),
    );
    await test.iot.send(new AttachPolicyCommand({ policyName: 'attach-me', target: certificateArn }));
    await test.iot.send(new AttachPolicyCommand({ policyName: 'attach-me', target: certificateArn }));
    const attached = await test.iot.send(new ListAttachedPoliciesCommand({ target: certificateArn }));
    expect(attached.policies?.map((policy) => policy.policyName)).toEqual(['attach-me']);
    expect(
      (await test.iot.send(new ListTargetsForPolicyCommand({ policyName: 'attach-me' }))).targets,
    ).toEqual([certificateArn]);
    expect(
      test.emulator.registry.policiesForPrincipal(certificateArn).map((policy) => policy.policyName),
    ).toEqual(['attach-me']);
    const conflict = await test.iot
      .send(new DeletePolicyCommand({ policyName: 'attach-me' }))
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(DeleteConflictException);
    await test.iot.send(new DetachPolicyCommand({ policyName: 'attach-me', target: certificateArn }));
    await test.iot.send(new DeletePolicyCommand({ policyName: 'attach-me' }));
    await expect(
      test.iot.send(new AttachPolicyCommand({ policyName: 'attach-me', target: certificateArn })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      test.iot.send(new ListAttachedPoliciesCommand({ target: certificateArn.replace(/.{4}$/, 'dead') })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('allows at most 10 policies per certificate (LimitExceeded, 410)', async () => {
    const { certificateArn: target } = await test.iot.send(new CreateKeysAndCertificateCommand({}));
    for (let index = 0; index < 10; index += 1) {
      await test.iot.send(
        new CreatePolicyCommand({ policyName: `limit-${index}`, policyDocument: document('iot:Receive') }),
      );
      await test.iot.send(new AttachPolicyCommand({ policyName: `limit-${index}`, target }));
    }
    await test.iot.send(
      new CreatePolicyCommand({ policyName: 'limit-10', policyDocument: document('iot:Receive') }),
    );
    const error = await test.iot
      .send(new AttachPolicyCommand({ policyName: 'limit-10', target }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LimitExceededException);
    expect((error as LimitExceededException).$metadata.httpStatusCode).toBe(410);
    const page = await test.iot.send(new ListAttachedPoliciesCommand({ target, pageSize: 4 }));
    expect(page.policies).toHaveLength(4);
    expect(page.nextMarker).toBeTruthy();
  });
});
