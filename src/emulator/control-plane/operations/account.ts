import { IotError, invalidRequest, paginateList } from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import {
  epochSeconds,
  header,
  optionalBoolean,
  optionalString,
  queryBoolean,
  queryInteger,
  queryString,
  requiredQueryString,
  requiredString,
} from '../input.js';
import { tagList, toTagList } from './tags.js';

const ENDPOINT_TYPES = ['iot:Data', 'iot:Data-ATS', 'iot:CredentialProvider', 'iot:Jobs'] as const;

/** `k1=v1&k2=v2` from the x-amz-tagging header. */
function taggingHeader(value: string | undefined): Record<string, string> {
  if (!value) return {};
  return Object.fromEntries(new URLSearchParams(value));
}

export const accountOperations: OperationHandlers = {
  DescribeEndpoint(input, { registry }) {
    const type = (queryString(input.query, 'endpointType', { oneOf: ENDPOINT_TYPES }) ??
      'iot:Data') as (typeof ENDPOINT_TYPES)[number];
    return { endpointAddress: registry.endpointAddress(type) };
  },

  CreateTopicRule(input, { registry }) {
    const ruleName = requiredString(input.labels, 'ruleName');
    const payload = input.body;
    const sql = requiredString(payload, 'sql');
    if (!/^\s*select\s+.+\s+from\s+'[^']+'/i.test(sql)) {
      throw new IotError(
        'SqlParseException',
        `sql must look like SELECT <fields> FROM '<topic filter>' [WHERE ...], got: ${sql}`,
      );
    }
    const actions = payload.actions;
    if (!Array.isArray(actions)) throw invalidRequest('actions is required: pass a list (it may be empty)');
    const tags = taggingHeader(header(input, 'x-amz-tagging'));
    const description = optionalString(payload, 'description');
    const awsIotSqlVersion = optionalString(payload, 'awsIotSqlVersion');
    const record = registry.createTopicRule({
      ruleName,
      sql,
      actions,
      ruleDisabled: optionalBoolean(payload, 'ruleDisabled') ?? false,
      ...(description !== undefined ? { description } : {}),
      ...(awsIotSqlVersion !== undefined ? { awsIotSqlVersion } : {}),
      ...(payload.errorAction !== undefined ? { errorAction: payload.errorAction } : {}),
    });
    if (Object.keys(tags).length > 0) registry.tagResource(record.ruleArn, tags);
    return undefined;
  },

  ListTopicRules(input, { registry }) {
    const topic = queryString(input.query, 'topic');
    const ruleDisabled = queryBoolean(input.query, 'ruleDisabled');
    const rules = registry
      .listTopicRules()
      .map((record) => ({ record, topicPattern: /\bfrom\s+'([^']+)'/i.exec(record.sql)?.[1] }))
      .filter(
        ({ record, topicPattern }) =>
          (topic === undefined || topicPattern === topic) &&
          (ruleDisabled === undefined || record.ruleDisabled === ruleDisabled),
      )
      .sort((a, b) => a.record.createdAt - b.record.createdAt);
    const page = paginateList(rules, {
      pageSize: queryInteger(input.query, 'maxResults', 1, 10_000),
      token: queryString(input.query, 'nextToken'),
    });
    return {
      rules: page.items.map(({ record, topicPattern }) => ({
        ruleArn: record.ruleArn,
        ruleName: record.ruleName,
        topicPattern,
        createdAt: epochSeconds(record.createdAt),
        ruleDisabled: record.ruleDisabled,
      })),
      nextToken: page.next,
    };
  },

  GetTopicRule(input, { registry }) {
    const ruleName = requiredString(input.labels, 'ruleName');
    const record = registry.getTopicRule(ruleName);
    // AWS answers a missing rule with UnauthorizedException (401), the only error its model
    // declares for it; the message is the emulator's.
    if (!record) throw new IotError('UnauthorizedException', `Topic rule ${ruleName} does not exist`);
    return {
      ruleArn: record.ruleArn,
      rule: {
        ruleName: record.ruleName,
        sql: record.sql,
        description: record.description,
        createdAt: epochSeconds(record.createdAt),
        actions: record.actions,
        ruleDisabled: record.ruleDisabled,
        awsIotSqlVersion: record.awsIotSqlVersion,
        errorAction: record.errorAction,
      },
    };
  },

  DeleteTopicRule(input, { registry }) {
    registry.deleteTopicRule(requiredString(input.labels, 'ruleName'));
    return undefined;
  },

  TagResource(input, { registry }) {
    const resourceArn = requiredString(input.body, 'resourceArn');
    if (input.body.tags === undefined)
      throw invalidRequest('tags is required: pass a list of {"Key", "Value"}');
    registry.tagResource(resourceArn, tagList(input.body.tags));
    return undefined;
  },

  UntagResource(input, { registry }) {
    const resourceArn = requiredString(input.body, 'resourceArn');
    const keys = input.body.tagKeys;
    if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
      throw invalidRequest('tagKeys is required: pass a list of tag keys');
    }
    registry.untagResource(resourceArn, keys);
    return undefined;
  },

  ListTagsForResource(input, { registry }) {
    const resourceArn = requiredQueryString(input.query, 'resourceArn');
    return { tags: toTagList(registry.listTagsForResource(resourceArn)) };
  },
};
