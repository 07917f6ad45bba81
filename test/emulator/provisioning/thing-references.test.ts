import { describe, expect, it } from 'vitest';
import { createProvisioningRegistry } from '../../../src/emulator/control-plane/provisioning-registry.js';
import { provisionFromTemplate, TemplateError } from '../../../src/emulator/provisioning/index.js';
import { IotRegistry } from '../../../src/emulator/registry/index.js';
import type { EmulatorPki } from '../../../src/pki/index.js';

/** A JITP-style template body: a thing with a type and groups from parameters. */
function thingTemplate(thing: Record<string, unknown>, overrideSettings?: Record<string, string>) {
  return {
    Parameters: { Name: { Type: 'String' } },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: { ThingName: { Ref: 'Name' }, ...thing },
        ...(overrideSettings ? { OverrideSettings: overrideSettings } : {}),
      },
    },
  };
}

function setup() {
  const registry = new IotRegistry({ region: 'us-east-1', accountId: '123456789012' });
  // These templates make no certificate, so the PKI is never asked for one.
  const adapter = createProvisioningRegistry(registry, {} as EmulatorPki);
  registry.thingTypes.create({ thingTypeName: 'Meter' });
  registry.thingGroups.create({ thingGroupName: 'fleet' });
  registry.thingGroups.create({ thingGroupName: 'site-a' });
  registry.thingGroups.create({ thingGroupName: 'line-1', parentGroupName: 'site-a' });
  return { registry, adapter };
}

async function templateError(promise: Promise<unknown>): Promise<TemplateError> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(TemplateError);
  return error as TemplateError;
}

describe('ThingTypeName and ThingGroups in provisioning templates', () => {
  it('creates the thing with its type and adds it to every group', async () => {
    const { registry, adapter } = setup();
    const template = thingTemplate({ ThingTypeName: 'Meter', ThingGroups: ['fleet', 'line-1'] });
    const result = await provisionFromTemplate(template, { Name: 'm-1' }, adapter);
    expect(result.resourceArns.thing).toBe('arn:aws:iot:us-east-1:123456789012:thing/m-1');
    expect(registry.describeThing('m-1').thingTypeName).toBe('Meter');
    expect(registry.thingGroups.listGroupsOfThing('m-1', {}).items.map((g) => g.thingGroupName)).toEqual([
      'fleet',
      'line-1',
    ]);
    expect(registry.thingGroups.listThings('site-a', { recursive: true }).items).toEqual(['m-1']);
  });

  it('fails before making anything when a type or group is missing, the type is deprecated, or a billing group is named', async () => {
    const { registry, adapter } = setup();
    const missingType = await templateError(
      provisionFromTemplate(thingTemplate({ ThingTypeName: 'Nope' }), { Name: 'x-1' }, adapter),
    );
    expect(missingType.code).toBe('ResourceNotFound');
    const missingGroup = await templateError(
      provisionFromTemplate(thingTemplate({ ThingGroups: ['fleet', 'nope'] }), { Name: 'x-2' }, adapter),
    );
    expect(missingGroup.code).toBe('ResourceNotFound');
    expect(missingGroup.message).toMatch(/thing group nope/);
    const billing = await templateError(
      provisionFromTemplate(thingTemplate({ BillingGroup: 'bills' }), { Name: 'x-3' }, adapter),
    );
    expect(billing.message).toMatch(/no billing groups/);
    registry.thingTypes.deprecate('Meter');
    const deprecated = await templateError(
      provisionFromTemplate(thingTemplate({ ThingTypeName: 'Meter' }), { Name: 'x-4' }, adapter),
    );
    expect(deprecated.message).toBe('Can not create new thing with depreated thing type:Meter');
    expect(registry.listThings({}).items).toEqual([]);
  });

  it('applies OverrideSettings.ThingGroups to an existing thing: DO_NOTHING, MERGE, REPLACE, FAIL', async () => {
    const { registry, adapter } = setup();
    registry.createThing({ thingName: 'e-1' });
    registry.thingGroups.addThing('fleet', 'e-1');
    const groupsOf = () => registry.thingGroups.members.rights('e-1').sort();
    const run = (mode: string) =>
      provisionFromTemplate(
        thingTemplate({ ThingGroups: ['line-1'] }, { ThingGroups: mode }),
        { Name: 'e-1' },
        adapter,
      );
    await run('DO_NOTHING');
    expect(groupsOf()).toEqual(['fleet']);
    const failed = await templateError(run('FAIL'));
    expect(failed.code).toBe('ResourceConflict');
    await run('MERGE');
    expect(groupsOf()).toEqual(['fleet', 'line-1']);
    registry.thingGroups.removeThing('line-1', 'e-1');
    await run('REPLACE');
    expect(groupsOf()).toEqual(['line-1']);
    await run('FAIL');
  });
});
