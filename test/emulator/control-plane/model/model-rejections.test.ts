import {
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateProvisioningTemplateCommand,
  CreateThingCommand,
  CreateTopicRuleCommand,
  DeleteThingCommand,
  DescribeThingCommand,
  GetTopicRuleCommand,
  InvalidRequestException,
  ListTagsForResourceCommand,
  RegisterThingCommand,
  TagResourceCommand,
  UnauthorizedException,
  UntagResourceCommand,
  UpdateThingCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../../support/emulator.js';

let test: TestEmulator;
let thingArn: string;

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [], keyPoolSize: 1, deviceKeyAlgorithm: 'ec-p256' });
  thingArn = (await test.iot.send(new CreateThingCommand({ thingName: 'tagged-1' }))).thingArn!;
});

afterAll(async () => {
  await test?.close();
});

/** The InvalidRequestException message a request gets. */
async function rejection(send: Promise<unknown>): Promise<string> {
  const error = await send.then(
    () => undefined,
    (caught: Error) => caught,
  );
  expect(error).toBeInstanceOf(InvalidRequestException);
  expect((error as InvalidRequestException).$metadata.httpStatusCode).toBe(400);
  return (error as Error).message;
}

const TAG_KEY_PATTERN = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$';

describe('inputs AWS rejects by its model, rejected now', () => {
  it('tag keys outside the allowed characters (TagResource), Unicode letters allowed', async () => {
    expect(
      await rejection(
        test.iot.send(
          new TagResourceCommand({ resourceArn: thingArn, tags: [{ Key: 'semi;colon', Value: 'x' }] }),
        ),
      ),
    ).toBe(
      `1 validation error detected: Value 'semi;colon' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ${TAG_KEY_PATTERN}`,
    );
    await test.iot.send(
      new TagResourceCommand({ resourceArn: thingArn, tags: [{ Key: 'Größe 2:a/b=c+d-e@f', Value: 'x' }] }),
    );
    const { tags } = await test.iot.send(new ListTagsForResourceCommand({ resourceArn: thingArn }));
    expect(tags).toContainEqual({ Key: 'Größe 2:a/b=c+d-e@f', Value: 'x' });
  });

  it('UntagResource keys', async () => {
    expect(
      await rejection(
        test.iot.send(new UntagResourceCommand({ resourceArn: thingArn, tagKeys: ['ok', 'bad!'] })),
      ),
    ).toBe(
      `1 validation error detected: Value 'bad!' at 'tagKeys.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ${TAG_KEY_PATTERN}`,
    );
    expect(
      await rejection(test.iot.send(new UntagResourceCommand({ resourceArn: thingArn, tagKeys: [''] }))),
    ).toBe(
      "1 validation error detected: Value '' at 'tagKeys.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('control characters in a provisioning template description', async () => {
    const message = await rejection(
      test.iot.send(
        new CreateProvisioningTemplateCommand({
          templateName: 'described',
          templateBody: '{"Resources": {}}',
          provisioningRoleArn: 'arn:aws:iam::123456789012:role/provisioning',
          description: 'line one\nline two',
        }),
      ),
    );
    expect(message).toBe(
      "1 validation error detected: Value 'line one\nline two' at 'description' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\p{C}]*",
    );
  });

  it('topic rules with more than 10 actions or an action without its required members', async () => {
    const republish = { republish: { roleArn: 'arn:aws:iam::123456789012:role/rules', topic: 'copies' } };
    const sql = "SELECT * FROM 'in'";
    expect(
      await rejection(
        test.iot.send(
          new CreateTopicRuleCommand({
            ruleName: 'too_many',
            topicRulePayload: { sql, actions: Array.from({ length: 11 }, () => republish) },
          }),
        ),
      ),
    ).toMatch(
      /^1 validation error detected: Value '.*' at 'topicRulePayload.actions' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
    expect(
      await rejection(
        test.iot.send(
          new CreateTopicRuleCommand({
            ruleName: 'incomplete',
            topicRulePayload: { sql, actions: [republish, { lambda: {} as { functionArn: string } }] },
          }),
        ),
      ),
    ).toBe(
      "1 validation error detected: Value null at 'topicRulePayload.actions.2.member.lambda.functionArn' failed to satisfy constraint: Member must not be null",
    );
  });

  it('RegisterThing parameters over the model limits', async () => {
    const message = await rejection(
      test.iot.send(
        new RegisterThingCommand({
          templateBody: '{"Resources": {}}',
          parameters: { ThingName: 'v'.repeat(4097) },
        }),
      ),
    );
    expect(message).toMatch(
      /at 'parameters' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have length less than or equal to 4096, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: \[\\s\\S\]\*\]$/,
    );
  });
});

describe('AWS behaviour the model and public answers show', () => {
  it('words a map violation as AWS IoT does (the answer quoted in aws/aws-sdk-java#666, limits of this model)', async () => {
    await test.iot.send(new CreateThingCommand({ thingName: 'HomeIot-ABCD' }));
    const value = '\'{"state"={"reported":{"device_id":"ABCD","motion_info":"STOP"}}}\'';
    expect(
      await rejection(
        test.iot.send(
          new UpdateThingCommand({
            thingName: 'HomeIot-ABCD',
            attributePayload: {
              attributes: { '"state"': '{"reported":{"device_id":"ABCD","motion_info":"STOP"}}' },
            },
          }),
        ),
      ),
    ).toBe(
      `2 validation errors detected: Value ${value} at 'attributePayload.attributes' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must satisfy regular expression pattern: [a-zA-Z0-9_.,@/:#-]+]; ` +
        `Value ${value} at 'attributePayload.attributes' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 800, Member must satisfy regular expression pattern: [a-zA-Z0-9_.,@/:#=\\[\\]-]*]`,
    );
  });

  it('GetTopicRule on a missing rule answers UnauthorizedException (401)', async () => {
    const error = await test.iot.send(new GetTopicRuleCommand({ ruleName: 'never_created' })).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect((error as UnauthorizedException).$metadata.httpStatusCode).toBe(401);
  });

  it("DeleteThing on an attached thing answers AWS's exact message", async () => {
    await test.iot.send(new CreateThingCommand({ thingName: 'attached-1' }));
    const { certificateArn } = await test.iot.send(new CreateKeysAndCertificateCommand({}));
    await test.iot.send(
      new AttachThingPrincipalCommand({ thingName: 'attached-1', principal: certificateArn }),
    );
    expect(await rejection(test.iot.send(new DeleteThingCommand({ thingName: 'attached-1' })))).toBe(
      'Cannot delete. Thing attached-1 is still attached to one or more principals',
    );
  });

  it('UpdateThing with an attribute set to "" removes it, with or without merge', async () => {
    const thingName = 'attributed-1';
    const attributes = async () =>
      (await test.iot.send(new DescribeThingCommand({ thingName }))).attributes ?? {};
    await test.iot.send(
      new CreateThingCommand({ thingName, attributePayload: { attributes: { a: '1', b: '2', c: '3' } } }),
    );
    await test.iot.send(
      new UpdateThingCommand({ thingName, attributePayload: { attributes: { a: '' }, merge: true } }),
    );
    expect(await attributes()).toEqual({ b: '2', c: '3' });
    await test.iot.send(
      new UpdateThingCommand({ thingName, attributePayload: { attributes: { b: '', d: '4' } } }),
    );
    expect(await attributes()).toEqual({ d: '4' });
  });
});
