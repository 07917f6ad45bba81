import { X509Certificate } from 'node:crypto';
import {
  CreateProvisioningClaimCommand,
  CreateProvisioningTemplateCommand,
  CreateTopicRuleCommand,
  DeleteProvisioningTemplateCommand,
  DeleteTopicRuleCommand,
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  DescribeProvisioningTemplateCommand,
  DescribeThingCommand,
  GetTopicRuleCommand,
  InvalidRequestException,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListProvisioningTemplatesCommand,
  ListTagsForResourceCommand,
  ListThingPrincipalsCommand,
  RegisterThingCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ResourceRegistrationFailureException,
  SqlParseException,
  TagResourceCommand,
  UnauthorizedException,
  UntagResourceCommand,
  UpdateProvisioningTemplateCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsrPem, generateKeyPairPem } from '../../../src/pki/index.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

let test: TestEmulator;
const roleArn = 'arn:aws:iam::123456789012:role/provisioning';

const templateBody = JSON.stringify({
  Parameters: { ThingName: { Type: 'String' }, CSR: { Type: 'String' } },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: { ThingName: { Ref: 'ThingName' }, AttributePayload: { model: 'm1' } },
    },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateSigningRequest: { Ref: 'CSR' }, Status: 'ACTIVE' },
    },
    policy: {
      Type: 'AWS::IoT::Policy',
      Properties: {
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
        }),
      },
    },
  },
});

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [], deviceKeyAlgorithm: 'ec-p256' });
});

afterAll(async () => {
  await test?.close();
});

describe('provisioning templates', () => {
  it('creates, describes, lists, updates and deletes a template', async () => {
    const created = await test.iot.send(
      new CreateProvisioningTemplateCommand({
        templateName: 'fleet',
        templateBody,
        provisioningRoleArn: roleArn,
        enabled: true,
        description: 'claim template',
        tags: [{ Key: 'env', Value: 'test' }],
      }),
    );
    expect(created).toMatchObject({
      templateName: 'fleet',
      defaultVersionId: 1,
      templateArn: 'arn:aws:iot:us-east-1:123456789012:provisioningtemplate/fleet',
    });
    const described = await test.iot.send(new DescribeProvisioningTemplateCommand({ templateName: 'fleet' }));
    expect(described).toMatchObject({
      enabled: true,
      type: 'FLEET_PROVISIONING',
      templateBody,
      provisioningRoleArn: roleArn,
    });
    expect(described.creationDate).toBeInstanceOf(Date);
    await expect(
      test.iot.send(
        new CreateProvisioningTemplateCommand({
          templateName: 'fleet',
          templateBody,
          provisioningRoleArn: roleArn,
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(
      test.iot.send(
        new CreateProvisioningTemplateCommand({
          templateName: 'broken',
          templateBody: '{"Resources": 5',
          provisioningRoleArn: roleArn,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidRequestException);
    await test.iot.send(
      new UpdateProvisioningTemplateCommand({
        templateName: 'fleet',
        enabled: false,
        preProvisioningHook: {
          targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:hook',
          payloadVersion: '2020-04-01',
        },
      }),
    );
    const updated = await test.iot.send(new DescribeProvisioningTemplateCommand({ templateName: 'fleet' }));
    expect(updated.enabled).toBe(false);
    expect(updated.preProvisioningHook?.payloadVersion).toBe('2020-04-01');
    await test.iot.send(
      new CreateProvisioningTemplateCommand({
        templateName: 'jitp',
        templateBody,
        provisioningRoleArn: roleArn,
        type: 'JITP',
      }),
    );
    const listed = await test.iot.send(new ListProvisioningTemplatesCommand({ maxResults: 1 }));
    expect(listed.templates).toHaveLength(1);
    const rest = await test.iot.send(new ListProvisioningTemplatesCommand({ nextToken: listed.nextToken }));
    expect([...listed.templates!, ...rest.templates!].map((t) => t.templateName)).toEqual(['fleet', 'jitp']);
    expect(
      (await test.iot.send(new ListTagsForResourceCommand({ resourceArn: created.templateArn }))).tags,
    ).toEqual([{ Key: 'env', Value: 'test' }]);
    await test.iot.send(new DeleteProvisioningTemplateCommand({ templateName: 'jitp' }));
    await expect(
      test.iot.send(new DescribeProvisioningTemplateCommand({ templateName: 'jitp' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('CreateProvisioningClaim returns a 5-minute claim cert that is not listed', async () => {
    const before = Date.now();
    const claim = await test.iot.send(new CreateProvisioningClaimCommand({ templateName: 'fleet' }));
    expect(claim.keyPair?.PrivateKey).toMatch(/PRIVATE KEY-----/);
    const expiration = claim.expiration!.getTime();
    expect(expiration - before).toBeGreaterThan(4 * 60_000);
    expect(expiration - before).toBeLessThan(6 * 60_000);
    expect(new X509Certificate(claim.certificatePem!).subject).toBe('CN=AWS IoT Certificate');
    expect(test.emulator.registry.getCertificate(claim.certificateId!)?.provisioningTemplateName).toBe(
      'fleet',
    );
    const listed = await test.iot.send(new ListCertificatesCommand({}));
    expect(listed.certificates?.map((c) => c.certificateId)).not.toContain(claim.certificateId);
    await expect(
      test.iot.send(new DescribeCertificateCommand({ certificateId: claim.certificateId })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      test.iot.send(new CreateProvisioningClaimCommand({ templateName: 'missing' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('RegisterThing', () => {
  it('creates the thing, certificate and policy and attaches them', async () => {
    const keys = await generateKeyPairPem('ec-p256');
    const csr = await createCsrPem(keys, 'CN=registered-1');
    const result = await test.iot.send(
      new RegisterThingCommand({ templateBody, parameters: { ThingName: 'registered-1', CSR: csr } }),
    );
    expect(result.certificatePem).toMatch(/BEGIN CERTIFICATE/);
    expect(result.resourceArns?.thing).toBe('arn:aws:iot:us-east-1:123456789012:thing/registered-1');
    const certificateArn = result.resourceArns?.certificate;
    expect(certificateArn).toMatch(/:cert\/[0-9a-f]{64}$/);
    expect(result.resourceArns?.policy).toMatch(/:policy\//);
    expect((await test.iot.send(new DescribeThingCommand({ thingName: 'registered-1' }))).attributes).toEqual(
      { model: 'm1' },
    );
    expect(
      (await test.iot.send(new ListThingPrincipalsCommand({ thingName: 'registered-1' }))).principals,
    ).toEqual([certificateArn]);
    expect(
      (await test.iot.send(new ListAttachedPoliciesCommand({ target: certificateArn }))).policies,
    ).toHaveLength(1);
  });

  it('answers InvalidRequest for a missing parameter and a registration failure for a bad CSR', async () => {
    await expect(
      test.iot.send(new RegisterThingCommand({ templateBody, parameters: { ThingName: 'registered-2' } })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
    const failure = await test.iot
      .send(
        new RegisterThingCommand({
          templateBody,
          parameters: { ThingName: 'registered-3', CSR: 'not a csr' },
        }),
      )
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ResourceRegistrationFailureException);
  });
});

describe('DescribeEndpoint, topic rules and tags', () => {
  it('returns stable ATS and legacy endpoints', async () => {
    const ats = await test.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
    const legacy = await test.iot.send(new DescribeEndpointCommand({}));
    expect(ats.endpointAddress).toMatch(/^[a-z0-9]{14}-ats\.iot\.us-east-1\.amazonaws\.com$/);
    expect(legacy.endpointAddress).toBe(ats.endpointAddress!.replace('-ats', ''));
    expect(
      (await test.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }))).endpointAddress,
    ).toBe(ats.endpointAddress);
    await expect(
      test.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Nope' })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
  });

  it('stores a JITR topic rule with its tags and deletes it', async () => {
    const sql = "SELECT * FROM '$aws/events/certificates/registered/+'";
    await test.iot.send(
      new CreateTopicRuleCommand({
        ruleName: 'jitr_activate',
        topicRulePayload: { sql, actions: [], ruleDisabled: false, awsIotSqlVersion: '2016-03-23' },
        tags: 'owner=fleet&env=test',
      }),
    );
    const fetched = await test.iot.send(new GetTopicRuleCommand({ ruleName: 'jitr_activate' }));
    expect(fetched.ruleArn).toBe('arn:aws:iot:us-east-1:123456789012:rule/jitr_activate');
    expect(fetched.rule).toMatchObject({ ruleName: 'jitr_activate', sql, ruleDisabled: false });
    expect(test.emulator.registry.listTopicRules().map((rule) => rule.sql)).toContain(sql);
    const tags = await test.iot.send(new ListTagsForResourceCommand({ resourceArn: fetched.ruleArn }));
    expect(tags.tags).toEqual([
      { Key: 'owner', Value: 'fleet' },
      { Key: 'env', Value: 'test' },
    ]);
    await expect(
      test.iot.send(
        new CreateTopicRuleCommand({ ruleName: 'jitr_activate', topicRulePayload: { sql, actions: [] } }),
      ),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(
      test.iot.send(
        new CreateTopicRuleCommand({
          ruleName: 'broken',
          topicRulePayload: { sql: 'DROP TABLE', actions: [] },
        }),
      ),
    ).rejects.toBeInstanceOf(SqlParseException);
    await test.iot.send(new DeleteTopicRuleCommand({ ruleName: 'jitr_activate' }));
    await expect(
      test.iot.send(new GetTopicRuleCommand({ ruleName: 'jitr_activate' })),
    ).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('tags and untags a thing; unknown ARNs are ResourceNotFound', async () => {
    const thingArn = 'arn:aws:iot:us-east-1:123456789012:thing/registered-1';
    await test.iot.send(
      new TagResourceCommand({
        resourceArn: thingArn,
        tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      }),
    );
    await test.iot.send(new UntagResourceCommand({ resourceArn: thingArn, tagKeys: ['a'] }));
    expect((await test.iot.send(new ListTagsForResourceCommand({ resourceArn: thingArn }))).tags).toEqual([
      { Key: 'b', Value: '2' },
    ]);
    await expect(
      test.iot.send(
        new TagResourceCommand({ resourceArn: `${thingArn}-gone`, tags: [{ Key: 'a', Value: '1' }] }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
