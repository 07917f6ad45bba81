import { describe, expect, it } from 'vitest';
import {
  evaluatePolicies,
  iotResourceArn,
  MalformedPolicyError,
  type PolicyContext,
  type PolicyDocument,
  parsePolicyDocument,
  wildcardMatches,
} from '../../../src/emulator/policy/index.js';

const region = 'us-east-1';
const account = '123456789012';
const arn = `arn:aws:iot:${region}:${account}`;
const topic = (t: string) => iotResourceArn.topic(region, account, t);
const filter = (f: string) => iotResourceArn.topicFilter(region, account, f);
const client = (c: string) => iotResourceArn.client(region, account, c);

const thingPolicy: PolicyDocument = parsePolicyDocument({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: `${arn}:client/\${iot:Connection.Thing.ThingName}`,
    },
    {
      Effect: 'Allow',
      Action: ['iot:Publish', 'iot:Receive'],
      Resource: `${arn}:topic/things/\${iot:Connection.Thing.ThingName}/*`,
    },
    {
      Effect: 'Allow',
      Action: 'iot:Subscribe',
      Resource: `${arn}:topicfilter/things/\${iot:Connection.Thing.ThingName}/*`,
    },
  ],
});

const device: PolicyContext = { clientId: 'dev-1', thingName: 'dev-1', isAttached: true };

describe('wildcards (IAM style: * and ?, MQTT + and # literal)', () => {
  it('matches * across slashes and ? as one character', () => {
    expect(wildcardMatches('a/*', 'a/b/c')).toBe(true);
    expect(wildcardMatches('a/?', 'a/b')).toBe(true);
    expect(wildcardMatches('a/?', 'a/bc')).toBe(false);
    expect(wildcardMatches('*', '')).toBe(true);
    expect(wildcardMatches('a*c', 'abbbc')).toBe(true);
    expect(wildcardMatches('a*c', 'abbb')).toBe(false);
  });
  it('treats + and # as plain characters', () => {
    expect(wildcardMatches('a/#', 'a/b')).toBe(false);
    expect(wildcardMatches('a/#', 'a/#')).toBe(true);
    expect(wildcardMatches('a/+/c', 'a/b/c')).toBe(false);
  });
  it('compares actions case-insensitively', () => {
    const doc = parsePolicyDocument({
      Statement: { Effect: 'Allow', Action: 'IOT:pub*', Resource: '*' },
    });
    const result = evaluatePolicies([doc], {
      action: 'iot:Publish',
      resource: topic('x'),
      context: device,
    });
    expect(result.allowed).toBe(true);
  });
});

describe('evaluatePolicies', () => {
  it('denies everything without a policy', () => {
    const result = evaluatePolicies([], { action: 'iot:Connect', resource: client('a'), context: device });
    expect(result).toEqual({ decision: 'implicit-deny', allowed: false });
  });

  it('resolves thing variables for connect, publish, receive and subscribe', () => {
    const ask = (action: string, resource: string) =>
      evaluatePolicies([thingPolicy], { action, resource, context: device }).allowed;
    expect(ask('iot:Connect', client('dev-1'))).toBe(true);
    expect(ask('iot:Connect', client('dev-2'))).toBe(false);
    expect(ask('iot:Publish', topic('things/dev-1/telemetry'))).toBe(true);
    expect(ask('iot:Receive', topic('things/dev-1/cmd'))).toBe(true);
    expect(ask('iot:Publish', topic('things/dev-2/telemetry'))).toBe(false);
    expect(ask('iot:Subscribe', filter('things/dev-1/#'))).toBe(true);
    expect(ask('iot:Subscribe', topic('things/dev-1/cmd'))).toBe(false);
  });

  it('does not apply a statement whose variable cannot be resolved (no thing attached)', () => {
    const result = evaluatePolicies([thingPolicy], {
      action: 'iot:Connect',
      resource: client('dev-1'),
      context: { clientId: 'dev-1' },
    });
    expect(result.decision).toBe('implicit-deny');
  });

  it('lets an explicit Deny in any attached policy win over an Allow', () => {
    const deny = parsePolicyDocument({
      Statement: [{ Effect: 'Deny', Action: 'iot:Publish', Resource: `${arn}:topic/things/*/admin` }],
    });
    const result = evaluatePolicies([thingPolicy, deny], {
      action: 'iot:Publish',
      resource: topic('things/dev-1/admin'),
      context: device,
    });
    expect(result.decision).toBe('explicit-deny');
    expect(result.statement?.Effect).toBe('Deny');
  });

  it('substitutes client ID and certificate subject variables', () => {
    const doc = parsePolicyDocument({
      Statement: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: `${arn}:client/\${iot:ClientId}` },
        {
          Effect: 'Allow',
          Action: 'iot:Publish',
          Resource: `${arn}:topic/org/\${iot:Certificate.Subject.Organization}/\${iot:Certificate.Subject.CommonName}`,
        },
      ],
    });
    const context: PolicyContext = {
      clientId: 'c1',
      subject: { CommonName: 'sensor-9', Organization: 'Acme' },
    };
    const ask = (action: string, resource: string) =>
      evaluatePolicies([doc], { action, resource, context }).allowed;
    expect(ask('iot:Connect', client('c1'))).toBe(true);
    expect(ask('iot:Publish', topic('org/Acme/sensor-9'))).toBe(true);
    expect(ask('iot:Publish', topic('org/Acme/sensor-8'))).toBe(false);
  });

  it('never lets a substituted value act as a wildcard', () => {
    const doc = parsePolicyDocument({
      Statement: { Effect: 'Allow', Action: 'iot:Publish', Resource: `${arn}:topic/\${iot:ClientId}` },
    });
    const result = evaluatePolicies([doc], {
      action: 'iot:Publish',
      resource: topic('anything'),
      context: { clientId: '*' },
    });
    expect(result.allowed).toBe(false);
  });

  it('supports $(*) as a literal asterisk', () => {
    const doc = parsePolicyDocument({
      Statement: { Effect: 'Allow', Action: 'iot:Publish', Resource: `${arn}:topic/a/$(*)` },
    });
    const ask = (t: string) =>
      evaluatePolicies([doc], { action: 'iot:Publish', resource: topic(t), context: device }).allowed;
    expect(ask('a/*')).toBe(true);
    expect(ask('a/b')).toBe(false);
  });

  it('handles NotAction and NotResource', () => {
    const doc = parsePolicyDocument({
      Statement: { Effect: 'Allow', NotAction: 'iot:Publish', NotResource: `${arn}:topic/secret` },
    });
    const ask = (action: string, resource: string) =>
      evaluatePolicies([doc], { action, resource, context: device }).allowed;
    expect(ask('iot:Receive', topic('open'))).toBe(true);
    expect(ask('iot:Receive', topic('secret'))).toBe(false);
    expect(ask('iot:Publish', topic('open'))).toBe(false);
  });
});

describe('conditions', () => {
  const withCondition = (condition: Record<string, Record<string, string | string[]>>) =>
    parsePolicyDocument({
      Statement: { Effect: 'Allow', Action: 'iot:Connect', Resource: '*', Condition: condition },
    });
  const connect = (doc: PolicyDocument, context: PolicyContext) =>
    evaluatePolicies([doc], { action: 'iot:Connect', resource: client('x'), context }).allowed;

  it('Bool on iot:Connection.Thing.IsAttached', () => {
    const doc = withCondition({ Bool: { 'iot:Connection.Thing.IsAttached': 'true' } });
    expect(connect(doc, { clientId: 'x', isAttached: true })).toBe(true);
    expect(connect(doc, { clientId: 'x', isAttached: false })).toBe(false);
    expect(connect(doc, { clientId: 'x' })).toBe(false);
  });

  it('StringEquals with a list of values (any matches) and variables in values', () => {
    const doc = withCondition({ StringEquals: { 'iot:ClientId': ['a', 'b'] } });
    expect(connect(doc, { clientId: 'b' })).toBe(true);
    expect(connect(doc, { clientId: 'c' })).toBe(false);
    const self = withCondition({
      StringEquals: { 'iot:ClientId': `\${iot:Certificate.Subject.CommonName}` },
    });
    expect(connect(self, { clientId: 'cn1', subject: { CommonName: 'cn1' } })).toBe(true);
    expect(connect(self, { clientId: 'cn2', subject: { CommonName: 'cn1' } })).toBe(false);
  });

  it('StringLike, StringNotEquals, Null, IfExists and IpAddress', () => {
    expect(
      connect(withCondition({ StringLike: { 'iot:ClientId': 'fleet-*' } }), { clientId: 'fleet-7' }),
    ).toBe(true);
    expect(connect(withCondition({ StringLike: { 'iot:ClientId': 'fleet-*' } }), { clientId: 'other' })).toBe(
      false,
    );
    expect(connect(withCondition({ StringNotEquals: { 'iot:ClientId': 'bad' } }), { clientId: 'bad' })).toBe(
      false,
    );
    expect(connect(withCondition({ StringNotEquals: { 'iot:ClientId': 'bad' } }), { clientId: 'ok' })).toBe(
      true,
    );
    expect(
      connect(withCondition({ Null: { 'iot:Connection.Thing.ThingName': 'true' } }), { clientId: 'x' }),
    ).toBe(true);
    expect(
      connect(withCondition({ Null: { 'iot:Connection.Thing.ThingName': 'true' } }), {
        clientId: 'x',
        thingName: 'x',
      }),
    ).toBe(false);
    expect(
      connect(withCondition({ StringEqualsIfExists: { 'iot:Connection.Thing.ThingTypeName': 't' } }), {
        clientId: 'x',
      }),
    ).toBe(true);
    expect(
      connect(withCondition({ IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }), { sourceIp: '127.0.0.1' }),
    ).toBe(true);
    expect(
      connect(withCondition({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), { sourceIp: '127.0.0.1' }),
    ).toBe(false);
  });

  it('an unknown operator makes the statement not apply', () => {
    expect(
      connect(withCondition({ DateGreaterThan: { 'aws:CurrentTime': '2020-01-01' } }), { clientId: 'x' }),
    ).toBe(false);
  });
});

describe('parsePolicyDocument', () => {
  it('rejects bad JSON and missing parts with a message saying what to fix', () => {
    expect(() => parsePolicyDocument('{')).toThrow(MalformedPolicyError);
    expect(() =>
      parsePolicyDocument({ Statement: [{ Effect: 'Maybe', Action: 'x', Resource: '*' }] }),
    ).toThrow(/Statement\.0\.Effect/);
    expect(() => parsePolicyDocument({ Statement: [{ Effect: 'Allow', Resource: '*' }] })).toThrow(/Action/);
  });
});
