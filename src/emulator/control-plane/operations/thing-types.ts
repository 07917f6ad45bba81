import { invalidRequest, type ThingTypeRecord } from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import {
  epochSeconds,
  optionalBoolean,
  optionalObject,
  optionalString,
  queryString,
  requiredString,
} from '../input.js';
import { tokenPaging } from '../paging.js';
import { tagList } from './tags.js';

function searchableAttributes(properties: Record<string, unknown> | undefined): string[] | undefined {
  const value = properties?.searchableAttributes;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string')) {
    throw invalidRequest('thingTypeProperties.searchableAttributes must be a list of attribute names');
  }
  return value as string[];
}

/** ThingTypeProperties as AWS returns them. */
function thingTypeProperties(record: ThingTypeRecord) {
  return {
    thingTypeDescription: record.description,
    searchableAttributes: record.searchableAttributes,
    mqtt5Configuration: record.mqtt5Configuration,
  };
}

function thingTypeMetadata(record: ThingTypeRecord) {
  return {
    deprecated: record.deprecated,
    deprecationDate: record.deprecationDate === undefined ? undefined : epochSeconds(record.deprecationDate),
    creationDate: epochSeconds(record.creationDate),
  };
}

const typeName = (labels: Record<string, string>) => requiredString(labels, 'thingTypeName');

export const thingTypeOperations: OperationHandlers = {
  CreateThingType(input, { registry }) {
    const thingTypeName = typeName(input.labels);
    const properties = optionalObject(input.body, 'thingTypeProperties');
    const tags = tagList(input.body.tags);
    const mqtt5Configuration = properties && optionalObject(properties, 'mqtt5Configuration');
    const record = registry.thingTypes.create({
      thingTypeName,
      description: properties && optionalString(properties, 'thingTypeDescription'),
      searchableAttributes: searchableAttributes(properties),
      mqtt5Configuration,
    });
    if (Object.keys(tags).length > 0) registry.tagResource(record.thingTypeArn, tags);
    return { thingTypeName, thingTypeArn: record.thingTypeArn, thingTypeId: record.thingTypeId };
  },

  DescribeThingType(input, { registry }) {
    const record = registry.thingTypes.records.require(typeName(input.labels));
    return {
      thingTypeName: record.thingTypeName,
      thingTypeId: record.thingTypeId,
      thingTypeArn: record.thingTypeArn,
      thingTypeProperties: thingTypeProperties(record),
      thingTypeMetadata: thingTypeMetadata(record),
    };
  },

  ListThingTypes(input, { registry }) {
    const page = registry.thingTypes.list({
      ...tokenPaging(input),
      thingTypeName: queryString(input.query, 'thingTypeName'),
    });
    return {
      thingTypes: page.items.map((record) => ({
        thingTypeName: record.thingTypeName,
        thingTypeArn: record.thingTypeArn,
        thingTypeProperties: thingTypeProperties(record),
        thingTypeMetadata: thingTypeMetadata(record),
      })),
      nextToken: page.next,
    };
  },

  UpdateThingType(input, { registry }) {
    const thingTypeName = typeName(input.labels);
    const properties = optionalObject(input.body, 'thingTypeProperties');
    if (properties?.thingTypeDescription != null || properties?.searchableAttributes != null) {
      // AWS's answer when anything but mqtt5Configuration is sent (its wording).
      throw invalidRequest('Can only update mqtt5Configuration.');
    }
    registry.thingTypes.updateMqtt5Configuration(
      thingTypeName,
      properties && optionalObject(properties, 'mqtt5Configuration'),
    );
    return undefined;
  },

  DeprecateThingType(input, { registry }) {
    registry.thingTypes.deprecate(
      typeName(input.labels),
      optionalBoolean(input.body, 'undoDeprecate') ?? false,
    );
    return undefined;
  },

  DeleteThingType(input, { registry }) {
    registry.thingTypes.delete(typeName(input.labels));
    return undefined;
  },
};
