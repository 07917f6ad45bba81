import {
  CreatePolicyCommand,
  CreateTopicRuleCommand,
  DeletePolicyCommand,
  ListPoliciesCommand,
  ListTopicRulesCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

let test: TestEmulator;
const document = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
});

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [], deviceKeyAlgorithm: 'ec-p256' });
});
afterAll(async () => {
  await test.close();
});

describe('account-wide listings (what a user checks for leftovers)', () => {
  it('ListPolicies pages through every policy and forgets deleted ones', async () => {
    const names = ['list-a', 'list-b', 'list-c'];
    for (const policyName of names)
      await test.iot.send(new CreatePolicyCommand({ policyName, policyDocument: document }));
    await test.iot.send(new DeletePolicyCommand({ policyName: 'list-b' }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await test.iot.send(new ListPoliciesCommand({ pageSize: 1, marker }));
      pages++;
      for (const policy of page.policies ?? []) {
        seen.push(policy.policyName as string);
        expect(policy.policyArn).toBe(`arn:aws:iot:us-east-1:123456789012:policy/${policy.policyName}`);
      }
      marker = page.nextMarker;
    } while (marker);
    expect(seen.sort()).toEqual(['list-a', 'list-c']);
    expect(pages).toBe(2);
  });

  it('ListTopicRules lists rules with their topic pattern, filtered by topic', async () => {
    for (const [ruleName, topic] of [
      ['rule_one', 'devices/+/boot'],
      ['rule_two', 'devices/+/telemetry'],
    ]) {
      await test.iot.send(
        new CreateTopicRuleCommand({
          ruleName,
          topicRulePayload: { sql: `SELECT * FROM '${topic}'`, actions: [] },
        }),
      );
    }
    const all = await test.iot.send(new ListTopicRulesCommand({}));
    expect(all.rules?.map((rule) => [rule.ruleName, rule.topicPattern, rule.ruleDisabled])).toEqual([
      ['rule_one', 'devices/+/boot', false],
      ['rule_two', 'devices/+/telemetry', false],
    ]);
    expect(all.rules?.[0]?.createdAt).toBeInstanceOf(Date);
    const filtered = await test.iot.send(new ListTopicRulesCommand({ topic: 'devices/+/telemetry' }));
    expect(filtered.rules?.map((rule) => rule.ruleName)).toEqual(['rule_two']);
  });
});
