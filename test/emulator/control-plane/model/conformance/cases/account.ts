import {
  CreateThingCommand,
  CreateTopicRuleCommand,
  DeleteTopicRuleCommand,
  DescribeEndpointCommand,
  GetTopicRuleCommand,
  ListTagsForResourceCommand,
  ListTopicRulesCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-iot';
import type { ConformanceCase, World } from '../world.js';

async function rule(world: World): Promise<string> {
  const ruleName = world.name('rule');
  await world.iot.send(
    new CreateTopicRuleCommand({
      ruleName,
      topicRulePayload: {
        sql: "SELECT * FROM 'devices/+/telemetry'",
        description: 'conformance rule',
        actions: [{ republish: { roleArn: 'arn:aws:iam::123456789012:role/rules', topic: 'copies' } }],
        ruleDisabled: false,
      },
    }),
  );
  return ruleName;
}

async function taggedThing(world: World): Promise<string> {
  const { thingArn } = await world.iot.send(new CreateThingCommand({ thingName: world.name('tagged') }));
  await world.iot.send(
    new TagResourceCommand({ resourceArn: thingArn, tags: [{ Key: 'team', Value: 'fleet' }] }),
  );
  return thingArn!;
}

export const accountCases: ConformanceCase[] = [
  {
    operation: 'DescribeEndpoint',
    success: (world) => world.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })),
    error: (world) => world.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Nowhere' })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'CreateTopicRule',
    success: (world) => rule(world),
    error: (world) =>
      world.iot.send(
        new CreateTopicRuleCommand({
          ruleName: world.name('rule'),
          topicRulePayload: { sql: 'DROP TABLE things', actions: [] },
        }),
      ),
    errorCode: 'SqlParseException',
  },
  {
    operation: 'GetTopicRule',
    success: async (world) => world.iot.send(new GetTopicRuleCommand({ ruleName: await rule(world) })),
    error: (world) => world.iot.send(new GetTopicRuleCommand({ ruleName: world.name('missing') })),
    errorCode: 'UnauthorizedException',
  },
  {
    operation: 'DeleteTopicRule',
    success: async (world) => world.iot.send(new DeleteTopicRuleCommand({ ruleName: await rule(world) })),
    error: (world) => world.iot.send(new DeleteTopicRuleCommand({ ruleName: 'dashes-are-not-allowed' })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListTopicRules',
    success: async (world) => {
      await rule(world);
      return world.iot.send(new ListTopicRulesCommand({}));
    },
    error: (world) => world.iot.send(new ListTopicRulesCommand({ maxResults: 10_001 })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'TagResource',
    success: (world) => taggedThing(world),
    error: async (world) =>
      world.iot.send(
        new TagResourceCommand({
          resourceArn: await taggedThing(world),
          tags: [{ Key: 'semi;colon', Value: 'x' }],
        }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'UntagResource',
    success: async (world) =>
      world.iot.send(new UntagResourceCommand({ resourceArn: await taggedThing(world), tagKeys: ['team'] })),
    error: async (world) =>
      world.iot.send(
        new UntagResourceCommand({ resourceArn: await taggedThing(world), tagKeys: ['semi;colon'] }),
      ),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListTagsForResource',
    success: async (world) =>
      world.iot.send(new ListTagsForResourceCommand({ resourceArn: await taggedThing(world) })),
    error: (world) =>
      world.iot.send(
        new ListTagsForResourceCommand({
          resourceArn: `arn:aws:iot:${world.region}:${world.accountId}:thing/${world.name('missing')}`,
        }),
      ),
    errorCode: 'ResourceNotFoundException',
  },
];
