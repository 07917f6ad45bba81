import { describe, expect, it } from 'vitest';
import { IotError, IotRegistry, THING_TYPE_DELETION_WAIT_MS } from '../../../src/emulator/registry/index.js';

function registryAt(clock: { now: number }, limits = {}): IotRegistry {
  return new IotRegistry({ region: 'eu-west-1', accountId: '210987654321', now: () => clock.now, limits });
}

function failure(action: () => unknown): IotError {
  try {
    action();
  } catch (error) {
    if (error instanceof IotError) return error;
    throw error;
  }
  throw new Error('expected an IotError');
}

describe('thing types in the registry', () => {
  it('creates idempotently, refuses other properties and more than 3 searchable attributes', () => {
    const registry = registryAt({ now: 1_000 });
    const first = registry.thingTypes.create({ thingTypeName: 'meter', searchableAttributes: ['a', 'b'] });
    expect(first.thingTypeArn).toBe('arn:aws:iot:eu-west-1:210987654321:thingtype/meter');
    expect(registry.thingTypes.create({ thingTypeName: 'meter', searchableAttributes: ['a', 'b'] })).toBe(
      first,
    );
    expect(failure(() => registry.thingTypes.create({ thingTypeName: 'meter', description: 'x' })).code).toBe(
      'ResourceAlreadyExistsException',
    );
    const tooMany = failure(() =>
      registry.thingTypes.create({ thingTypeName: 'wide', searchableAttributes: ['a', 'b', 'c', 'd'] }),
    );
    expect(tooMany.code).toBe('InvalidRequestException');
    expect(registry.thingTypes.records.has('wide')).toBe(false);
  });

  it('gives things a type, filters ListThings by it and refuses a deprecated or missing type', () => {
    const registry = registryAt({ now: 1_000 });
    registry.thingTypes.create({ thingTypeName: 'meter' });
    registry.createThing({ thingName: 'm1', thingTypeName: 'meter' });
    registry.createThing({ thingName: 'plain' });
    expect(registry.listThings({ thingTypeName: 'meter' }).items.map((t) => t.thingName)).toEqual(['m1']);
    expect(failure(() => registry.createThing({ thingName: 'x', thingTypeName: 'nope' })).code).toBe(
      'ResourceNotFoundException',
    );
    registry.thingTypes.deprecate('meter');
    const refused = failure(() => registry.createThing({ thingName: 'm2', thingTypeName: 'meter' }));
    expect(refused.code).toBe('InvalidRequestException');
    expect(refused.message).toBe('Can not create new thing with depreated thing type:meter');
    expect(failure(() => registry.updateThing('plain', { thingTypeName: 'meter' })).message).toBe(
      'Can not update a thing to use deprecated thing type: meter',
    );
    registry.thingTypes.deprecate('meter', true);
    registry.updateThing('plain', { thingTypeName: 'meter' });
    expect(registry.describeThing('plain').thingTypeName).toBe('meter');
  });

  it('deletes a type only once deprecated, after the wait, with no things left', () => {
    const clock = { now: 1_000 };
    const registry = registryAt(clock);
    registry.thingTypes.create({ thingTypeName: 'meter' });
    registry.createThing({ thingName: 'm1', thingTypeName: 'meter' });
    expect(failure(() => registry.thingTypes.delete('meter')).message).toMatch(/is not deprecated/);
    registry.thingTypes.deprecate('meter');
    clock.now += THING_TYPE_DELETION_WAIT_MS - 1;
    expect(failure(() => registry.thingTypes.delete('meter')).message).toMatch(
      /deprecated less than 300 seconds/,
    );
    clock.now += 1;
    expect(failure(() => registry.thingTypes.delete('meter')).message).toMatch(
      /still associated with things/,
    );
    registry.updateThing('m1', { removeThingType: true });
    registry.thingTypes.delete('meter');
    expect(registry.thingTypes.records.has('meter')).toBe(false);
    expect(failure(() => registry.thingTypes.delete('meter')).code).toBe('ResourceNotFoundException');
  });

  it('deletes at once when the wait is configured to zero', () => {
    const registry = registryAt({ now: 1_000 }, { thingTypeDeletionWaitMs: 0 });
    registry.thingTypes.create({ thingTypeName: 'meter' });
    registry.thingTypes.deprecate('meter');
    registry.thingTypes.delete('meter');
    expect(registry.thingTypes.list({}).items).toEqual([]);
  });
});

describe('static thing groups in the registry', () => {
  it('builds a hierarchy up to 7 deep and lists it by parent, prefix and recursion', () => {
    const registry = registryAt({ now: 1_000 });
    const groups = registry.thingGroups;
    groups.create({ thingGroupName: 'g1' });
    for (let depth = 2; depth <= 7; depth++) {
      groups.create({ thingGroupName: `g${depth}`, parentGroupName: `g${depth - 1}` });
    }
    const tooDeep = failure(() => groups.create({ thingGroupName: 'g8', parentGroupName: 'g7' }));
    expect(tooDeep.code).toBe('InvalidRequestException');
    expect(groups.ancestors('g3').map((g) => g.thingGroupName)).toEqual(['g1', 'g2']);
    groups.create({ thingGroupName: 'other' });
    const names = (page: { items: Array<{ thingGroupName: string }> }) =>
      page.items.map((g) => g.thingGroupName);
    expect(names(groups.list({ recursive: false }))).toEqual(['g1', 'other']);
    expect(names(groups.list({}))).toHaveLength(8);
    expect(names(groups.list({ parentGroup: 'g5', recursive: false }))).toEqual(['g6']);
    expect(names(groups.list({ parentGroup: 'g5' }))).toEqual(['g6', 'g7']);
    expect(names(groups.list({ namePrefixFilter: 'oth' }))).toEqual(['other']);
    expect(failure(() => groups.list({ parentGroup: 'none' })).code).toBe('ResourceNotFoundException');
    expect(failure(() => groups.create({ thingGroupName: 'x', parentGroupName: 'none' })).code).toBe(
      'ResourceNotFoundException',
    );
  });

  it('refuses to delete a group with child groups and forgets memberships of deleted groups and things', () => {
    const registry = registryAt({ now: 1_000 });
    const groups = registry.thingGroups;
    groups.create({ thingGroupName: 'parent' });
    groups.create({ thingGroupName: 'child', parentGroupName: 'parent' });
    registry.createThing({ thingName: 't1' });
    registry.createThing({ thingName: 't2' });
    groups.addThing('child', 't1');
    groups.addThing('parent', 't2');
    expect(groups.listThings('parent', {}).items).toEqual(['t2']);
    expect(groups.listThings('parent', { recursive: true }).items.sort()).toEqual(['t1', 't2']);
    expect(failure(() => groups.delete('parent')).message).toBe(
      'Cannot delete thing group : parent when there are still child groups attached to it',
    );
    registry.deleteThing('t1');
    expect(groups.listThings('child', {}).items).toEqual([]);
    registry.createThing({ thingName: 't1' });
    expect(groups.listGroupsOfThing('t1', {}).items).toEqual([]);
    groups.delete('child');
    groups.delete('parent');
    groups.delete('parent');
    expect(groups.members.hasLeft('t2')).toBe(false);
  });

  it('puts a thing in at most 10 groups and in one group per hierarchy', () => {
    const registry = registryAt({ now: 1_000 });
    const groups = registry.thingGroups;
    registry.createThing({ thingName: 't' });
    for (let index = 0; index < 11; index++) groups.create({ thingGroupName: `root${index}` });
    for (let index = 0; index < 10; index++) groups.addThing(`root${index}`, 't');
    groups.addThing('root0', 't');
    expect(failure(() => groups.addThing('root10', 't')).message).toMatch(/already in 10 thing groups/);
    groups.removeThing('root0', 't');
    groups.create({ thingGroupName: 'leaf', parentGroupName: 'root1' });
    expect(failure(() => groups.addThing('leaf', 't')).message).toMatch(/same hierarchy/);
    groups.addThing('root10', 't');
    expect(groups.listGroupsOfThing('t', {}).items).toHaveLength(10);
    expect(failure(() => groups.addThing('root1', 'ghost')).code).toBe('ResourceNotFoundException');
    expect(failure(() => groups.addThing('ghost', 't')).code).toBe('ResourceNotFoundException');
  });

  it('survives a snapshot round trip with types, groups and memberships', () => {
    const registry = registryAt({ now: 1_000 });
    registry.thingTypes.create({ thingTypeName: 'meter', searchableAttributes: ['serial'] });
    registry.thingGroups.create({ thingGroupName: 'fleet' });
    registry.createThing({ thingName: 't', thingTypeName: 'meter' });
    registry.thingGroups.addThing('fleet', 't');
    const copy = registryAt({ now: 2_000 });
    copy.loadSnapshot(JSON.parse(JSON.stringify(registry.toSnapshot())));
    expect(copy.thingTypes.records.require('meter').searchableAttributes).toEqual(['serial']);
    expect(copy.thingGroups.listThings('fleet', {}).items).toEqual(['t']);
    expect(copy.describeThing('t').thingTypeName).toBe('meter');
    copy.tagResource(copy.arns.thingGroup('fleet'), { team: 'a' });
    expect(copy.listTagsForResource(copy.arns.thingType('meter'))).toEqual({});
  });
});
