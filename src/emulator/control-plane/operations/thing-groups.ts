import { type IotRegistry, invalidRequest, type ThingGroupRecord } from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import {
  epochSeconds,
  type OperationInput,
  optionalObject,
  optionalString,
  queryBoolean,
  queryInteger,
  queryString,
  requiredString,
} from '../input.js';
import { tokenPaging } from '../paging.js';
import { tagList } from './tags.js';
import { attributePayload } from './things.js';

const groupName = (labels: Record<string, string>) => requiredString(labels, 'thingGroupName');

/** GroupNameAndArn, as list operations return groups. */
const nameAndArn = (record: ThingGroupRecord) => ({
  groupName: record.thingGroupName,
  groupArn: record.thingGroupArn,
});

/**
 * A resource named by name or ARN (AddThingToThingGroup and RemoveThingFromThingGroup take
 * either); when both are given they must agree.
 */
function nameOrArn(
  registry: IotRegistry,
  body: Record<string, unknown>,
  kind: 'thing' | 'thingGroup',
  arnKind: 'thing' | 'thinggroup',
): string {
  const name = optionalString(body, `${kind}Name`);
  const arn = optionalString(body, `${kind}Arn`);
  if (name === undefined && arn === undefined) {
    throw invalidRequest(`Both ${kind}Arn and ${kind}Name are empty. Need to specify at least one of them`);
  }
  if (arn === undefined) return name as string;
  const parsed = registry.arns.parse(arn);
  if (!parsed || parsed.kind !== arnKind) {
    throw invalidRequest(
      `${kind}Arn ${arn} is not the ARN of a ${kind === 'thing' ? 'thing' : 'thing group'} in this account and Region`,
    );
  }
  if (name !== undefined && name !== parsed.id) {
    throw invalidRequest(`${kind}Arn ${arn} does not match ${kind}Name ${name}`);
  }
  return parsed.id;
}

/** A ThingGroupList member of the body (UpdateThingGroupsForThing), empty when absent. */
function groupNames(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  if (value === undefined || value === null) return [];
  // Each name's length and pattern are the model's checks (model/operation-validator.ts).
  if (!Array.isArray(value) || value.some((group) => typeof group !== 'string')) {
    throw invalidRequest(`${name} must be a list of thing group names`);
  }
  return value as string[];
}

function groupProperties(input: OperationInput) {
  const properties = optionalObject(input.body, 'thingGroupProperties');
  return {
    description: properties && optionalString(properties, 'thingGroupDescription'),
    payload: properties && attributePayload(properties),
  };
}

export const thingGroupOperations: OperationHandlers = {
  CreateThingGroup(input, { registry }) {
    const thingGroupName = groupName(input.labels);
    const { description, payload } = groupProperties(input);
    const tags = tagList(input.body.tags);
    const record = registry.thingGroups.create({
      thingGroupName,
      parentGroupName: optionalString(input.body, 'parentGroupName'),
      description,
      attributes: payload?.attributes,
    });
    if (Object.keys(tags).length > 0) registry.tagResource(record.thingGroupArn, tags);
    return { thingGroupName, thingGroupArn: record.thingGroupArn, thingGroupId: record.thingGroupId };
  },

  DescribeThingGroup(input, { registry }) {
    const record = registry.thingGroups.records.require(groupName(input.labels));
    return {
      thingGroupName: record.thingGroupName,
      thingGroupId: record.thingGroupId,
      thingGroupArn: record.thingGroupArn,
      version: record.version,
      thingGroupProperties: {
        thingGroupDescription: record.description,
        attributePayload: { attributes: record.attributes },
      },
      thingGroupMetadata: {
        parentGroupName: record.parentGroupName,
        rootToParentThingGroups: registry.thingGroups.ancestors(record.thingGroupName).map(nameAndArn),
        creationDate: epochSeconds(record.creationDate),
      },
    };
  },

  UpdateThingGroup(input, { registry }) {
    const thingGroupName = groupName(input.labels);
    if (optionalObject(input.body, 'thingGroupProperties') === undefined) {
      throw invalidRequest('thingGroupProperties is required: pass the properties to change');
    }
    const expectedVersion = input.body.expectedVersion;
    if (expectedVersion !== undefined && !Number.isInteger(expectedVersion)) {
      throw invalidRequest('expectedVersion must be an integer');
    }
    const { description, payload } = groupProperties(input);
    const record = registry.thingGroups.update(thingGroupName, {
      description,
      attributePayload: payload,
      expectedVersion: expectedVersion as number | undefined,
    });
    return { version: record.version };
  },

  DeleteThingGroup(input, { registry }) {
    registry.thingGroups.delete(
      groupName(input.labels),
      // Kept: the model's OptionalVersion (long) sets no range; versions start at 1.
      queryInteger(input.query, 'expectedVersion', 0, Number.MAX_SAFE_INTEGER),
    );
    return undefined;
  },

  ListThingGroups(input, { registry }) {
    const page = registry.thingGroups.list({
      ...tokenPaging(input),
      parentGroup: queryString(input.query, 'parentGroup'),
      namePrefixFilter: queryString(input.query, 'namePrefixFilter'),
      recursive: queryBoolean(input.query, 'recursive'),
    });
    return { thingGroups: page.items.map(nameAndArn), nextToken: page.next };
  },

  AddThingToThingGroup(input, { registry }) {
    const thingGroupName = nameOrArn(registry, input.body, 'thingGroup', 'thinggroup');
    const thingName = nameOrArn(registry, input.body, 'thing', 'thing');
    registry.thingGroups.addThing(thingGroupName, thingName);
    return undefined;
  },

  RemoveThingFromThingGroup(input, { registry }) {
    const thingGroupName = nameOrArn(registry, input.body, 'thingGroup', 'thinggroup');
    const thingName = nameOrArn(registry, input.body, 'thing', 'thing');
    registry.thingGroups.removeThing(thingGroupName, thingName);
    return undefined;
  },

  UpdateThingGroupsForThing(input, { registry }) {
    registry.thingGroups.updateGroupsOfThing(
      requiredString(input.body, 'thingName'),
      groupNames(input.body, 'thingGroupsToAdd'),
      groupNames(input.body, 'thingGroupsToRemove'),
    );
    // overrideDynamicGroups changes nothing: the emulator has no dynamic groups to override.
    return undefined;
  },

  ListThingsInThingGroup(input, { registry }) {
    const page = registry.thingGroups.listThings(groupName(input.labels), {
      ...tokenPaging(input),
      recursive: queryBoolean(input.query, 'recursive'),
    });
    return { things: page.items, nextToken: page.next };
  },

  ListThingGroupsForThing(input, { registry }) {
    const thingName = requiredString(input.labels, 'thingName');
    const page = registry.thingGroups.listGroupsOfThing(thingName, tokenPaging(input));
    return { thingGroups: page.items.map(nameAndArn), nextToken: page.next };
  },
};
