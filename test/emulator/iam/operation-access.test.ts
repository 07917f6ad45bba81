import { describe, expect, it } from 'vitest';
import { OPERATION_ACCESS } from '../../../src/emulator/control-plane/iam/operation-access.js';
import type { OperationInput } from '../../../src/emulator/control-plane/index.js';
import { ROUTES } from '../../../src/emulator/control-plane/index.js';
import { IotArns } from '../../../src/emulator/registry/index.js';

const arns = new IotArns('eu-west-1', '111122223333');

function input(parts: Partial<OperationInput>): OperationInput {
  return { labels: {}, query: new URLSearchParams(), headers: {}, body: {}, ...parts };
}

describe('the IAM action/resource table', () => {
  it('has a row for every control-plane operation (a new route needs its IAM row)', () => {
    const missing = [...new Set(ROUTES.map((route) => route[2]))].filter(
      (operation) => OPERATION_ACCESS[operation] === undefined,
    );
    expect(missing).toEqual([]);
  });

  it('authorises each operation as the iot: action of the same name', () => {
    for (const [, , operation] of ROUTES)
      expect(OPERATION_ACCESS[operation]?.action).toBe(`iot:${operation}`);
  });

  it('names the resource ARN the request is about', () => {
    const resource = (operation: string, parts: Partial<OperationInput>) =>
      OPERATION_ACCESS[operation]?.resource(input(parts), arns);
    expect(resource('CreateThing', { labels: { thingName: 'pump-1' } })).toBe(
      'arn:aws:iot:eu-west-1:111122223333:thing/pump-1',
    );
    expect(resource('UpdateCertificate', { labels: { certificateId: 'ab12' } })).toBe(
      'arn:aws:iot:eu-west-1:111122223333:cert/ab12',
    );
    expect(resource('DescribeCACertificate', { labels: { caCertificateId: 'cd34' } })).toBe(
      'arn:aws:iot:eu-west-1:111122223333:cacert/cd34',
    );
    expect(resource('CreatePolicy', { labels: { policyName: 'devices' } })).toBe(
      'arn:aws:iot:eu-west-1:111122223333:policy/devices',
    );
    expect(resource('CreateProvisioningTemplate', { body: { templateName: 'fleet' } })).toBe(
      'arn:aws:iot:eu-west-1:111122223333:provisioningtemplate/fleet',
    );
    expect(resource('CreateProvisioningClaim', { labels: { templateName: 'fleet' } })).toBe(
      'arn:aws:iot:eu-west-1:111122223333:provisioningtemplate/fleet',
    );
    expect(resource('CreateTopicRule', { labels: { ruleName: 'r1' } })).toBe(
      'arn:aws:iot:eu-west-1:111122223333:rule/r1',
    );
    expect(resource('UpdateThingType', { labels: { thingTypeName: 'Meter' } })).toBe(
      'arn:aws:iot:eu-west-1:111122223333:thingtype/Meter',
    );
    expect(
      resource('UpdateThingGroupsForThing', { body: { thingName: 'pump-1', thingGroupsToAdd: ['site'] } }),
    ).toBe('arn:aws:iot:eu-west-1:111122223333:thing/pump-1');
    const cert = 'arn:aws:iot:eu-west-1:111122223333:cert/ab12';
    expect(resource('AttachPolicy', { labels: { policyName: 'p' }, body: { target: cert } })).toBe(cert);
    expect(resource('ListTagsForResource', { query: new URLSearchParams({ resourceArn: cert }) })).toBe(cert);
    expect(resource('CreateKeysAndCertificate', {})).toBe('*');
    expect(resource('ListThings', {})).toBe('*');
  });
});
