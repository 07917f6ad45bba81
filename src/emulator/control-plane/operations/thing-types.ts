import { invalidRequest, type ThingTypeRecord } from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import {
  epochSeconds,
  optionalBoolean,
  optionalObject,
  optionalString,
  queryInteger,
  queryString,
  requiredString,
} from '../input.js';
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
      maxResults: queryInteger(input.query, 'maxResults', 1, 250),
      nextToken: queryString(input.query, 'nextToken'),
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
