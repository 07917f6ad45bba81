import { invalidRequest, type ThingUpdate } from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import {
  header,
  type OperationInput,
  optionalBoolean,
  optionalObject,
  optionalString,
  queryBoolean,
  queryInteger,
  queryString,
  requiredString,
  stringMap,
} from '../input.js';
import { tokenPaging } from '../paging.js';
import { thingAttribute } from '../wire.js';

/**
 * AttributePayload (things and thing groups): at most 50 attributes. Names and values were
 * checked against AttributeName and AttributeValue by the service model before the handler.
 */
export function attributePayload(
  body: Record<string, unknown>,
): { attributes?: Record<string, string>; merge?: boolean } | undefined {
  const payload = optionalObject(body, 'attributePayload');
  if (!payload) return undefined;
  const attributes =
    payload.attributes === undefined ? undefined : stringMap(payload.attributes, 'attributes');
  if (attributes && Object.keys(attributes).length > 50) {
    throw invalidRequest('A thing may have at most 50 attributes');
  }
  return { attributes, merge: optionalBoolean(payload, 'merge') };
}

function principalHeader(input: OperationInput): string {
  const principal = header(input, 'x-amzn-principal');
  if (!principal)
    throw invalidRequest('principal is required: send the certificate ARN in the x-amzn-principal header');
  return principal;
}

export const thingOperations: OperationHandlers = {
  CreateThing(input, { registry }) {
    const thingName = requiredString(input.labels, 'thingName');
    const payload = attributePayload(input.body);
    const record = registry.createThing({
      thingName,
      thingTypeName: optionalString(input.body, 'thingTypeName'),
      attributes: payload?.attributes,
      billingGroupName: optionalString(input.body, 'billingGroupName'),
    });
    // A new ARN string: serialising the record's own would flatten (copy) it in place.
    return {
      thingName: record.thingName,
      thingArn: registry.arns.thing(record.thingName),
      thingId: record.thingId,
    };
  },

  DescribeThing(input, { registry }) {
    const record = registry.describeThing(requiredString(input.labels, 'thingName'));
    return {
      defaultClientId: record.thingName,
      thingName: record.thingName,
      thingId: record.thingId,
      thingArn: record.thingArn,
      thingTypeName: record.thingTypeName,
      attributes: record.attributes,
      version: record.version,
      billingGroupName: record.billingGroupName,
    };
  },

  UpdateThing(input, { registry }) {
    const thingName = requiredString(input.labels, 'thingName');
    const expectedVersion = input.body.expectedVersion;
    if (expectedVersion !== undefined && !Number.isInteger(expectedVersion)) {
      throw invalidRequest('expectedVersion must be an integer');
    }
    const update: ThingUpdate = {
      thingTypeName: optionalString(input.body, 'thingTypeName'),
      removeThingType: optionalBoolean(input.body, 'removeThingType'),
      attributePayload: attributePayload(input.body),
      expectedVersion: expectedVersion as number | undefined,
    };
    registry.updateThing(thingName, update);
    return undefined;
  },

  DeleteThing(input, { registry }) {
    const thingName = requiredString(input.labels, 'thingName');
    // Kept: the model's OptionalVersion (long) sets no range; versions start at 1.
    registry.deleteThing(thingName, queryInteger(input.query, 'expectedVersion', 0, Number.MAX_SAFE_INTEGER));
    return undefined;
  },

  ListThings(input, { registry }) {
    const page = registry.listThings({
      ...tokenPaging(input),
      attributeName: queryString(input.query, 'attributeName'),
      attributeValue: queryString(input.query, 'attributeValue'),
      usePrefixAttributeValue: queryBoolean(input.query, 'usePrefixAttributeValue'),
      thingTypeName: queryString(input.query, 'thingTypeName'),
    });
    return { things: page.items.map(thingAttribute), nextToken: page.next };
  },

  AttachThingPrincipal(input, { registry }) {
    const thingName = requiredString(input.labels, 'thingName');
    const type = queryString(input.query, 'thingPrincipalType', {
      oneOf: ['EXCLUSIVE_THING', 'NON_EXCLUSIVE_THING'],
    });
    registry.attachThingPrincipal(thingName, principalHeader(input), type as 'EXCLUSIVE_THING' | undefined);
    return undefined;
  },

  DetachThingPrincipal(input, { registry }) {
    const thingName = requiredString(input.labels, 'thingName');
    registry.detachThingPrincipal(thingName, principalHeader(input));
    return undefined;
  },

  ListThingPrincipals(input, { registry }) {
    const thingName = requiredString(input.labels, 'thingName');
    const page = registry.listThingPrincipals(thingName, tokenPaging(input));
    return { principals: page.items, nextToken: page.next };
  },

  ListPrincipalThings(input, { registry }) {
    const page = registry.listPrincipalThings(principalHeader(input), tokenPaging(input));
    return { things: page.items, nextToken: page.next };
  },
};
