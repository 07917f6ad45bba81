import { describe, expect, it } from 'vitest';
import { IotRegistry } from '../../../src/emulator/registry/index.js';

describe('registry records', () => {
  it('gives things without attributes their own attributes once updated', () => {
    const registry = new IotRegistry({ region: 'eu-west-1', accountId: '210987654321' });
    registry.createThing({ thingName: 'plain-1' });
    registry.createThing({ thingName: 'plain-2' });
    registry.updateThing('plain-1', { attributePayload: { attributes: { colour: 'red' }, merge: true } });
    expect(registry.describeThing('plain-1').attributes).toEqual({ colour: 'red' });
    expect(registry.describeThing('plain-2').attributes).toEqual({});
    registry.createThing({ thingName: 'plain-3' });
    expect(registry.describeThing('plain-3').attributes).toEqual({});
    expect(registry.createThing({ thingName: 'plain-2' }).thingId).toBe(
      registry.describeThing('plain-2').thingId,
    );
  });

  it('builds ARNs of every kind for its own Region and account', () => {
    const registry = new IotRegistry({ region: 'eu-west-1', accountId: '210987654321' });
    expect(registry.createThing({ thingName: 'meter' }).thingArn).toBe(
      'arn:aws:iot:eu-west-1:210987654321:thing/meter',
    );
    expect(registry.arns.certificate('ab12')).toBe('arn:aws:iot:eu-west-1:210987654321:cert/ab12');
    expect(registry.arns.caCertificate('cd34')).toBe('arn:aws:iot:eu-west-1:210987654321:cacert/cd34');
    expect(registry.arns.policy('p')).toBe('arn:aws:iot:eu-west-1:210987654321:policy/p');
    expect(registry.arns.provisioningTemplate('t')).toBe(
      'arn:aws:iot:eu-west-1:210987654321:provisioningtemplate/t',
    );
    expect(registry.arns.topicRule('r')).toBe('arn:aws:iot:eu-west-1:210987654321:rule/r');
    expect(registry.arns.parse('arn:aws:iot:eu-west-1:210987654321:thing/meter')).toEqual({
      kind: 'thing',
      id: 'meter',
    });
  });
});
