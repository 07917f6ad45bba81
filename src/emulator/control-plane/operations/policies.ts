import type { OperationHandlers } from '../context.js';
import { epochSeconds, queryBoolean, queryInteger, queryString, RULES, requiredString } from '../input.js';
import { tagList } from './tags.js';

export const policyOperations: OperationHandlers = {
  CreatePolicy(input, { registry }) {
    const policyName = requiredString(input.labels, 'policyName', RULES.policyName);
    const policyDocument = requiredString(input.body, 'policyDocument');
    const tags = tagList(input.body.tags);
    const record = registry.createPolicy(policyName, policyDocument);
    if (Object.keys(tags).length > 0) registry.tagResource(record.policyArn, tags);
    return {
      policyName: record.policyName,
      policyArn: record.policyArn,
      policyDocument: record.policyDocument,
      policyVersionId: record.defaultVersionId,
    };
  },

  GetPolicy(input, { registry }) {
    const record = registry.describePolicy(requiredString(input.labels, 'policyName', RULES.policyName));
    return {
      policyName: record.policyName,
      policyArn: record.policyArn,
      policyDocument: record.policyDocument,
      defaultVersionId: record.defaultVersionId,
      creationDate: epochSeconds(record.creationDate),
      lastModifiedDate: epochSeconds(record.lastModifiedDate),
      generationId: record.generationId,
    };
  },

  ListPolicies(input, { registry }) {
    const page = registry.listPolicies({
      pageSize: queryInteger(input.query, 'pageSize', 1, 250),
      marker: queryString(input.query, 'marker'),
      ascendingOrder: queryBoolean(input.query, 'isAscendingOrder'),
    });
    return {
      policies: page.items.map((policy) => ({ policyName: policy.policyName, policyArn: policy.policyArn })),
      nextMarker: page.next,
    };
  },

  DeletePolicy(input, { registry }) {
    registry.deletePolicy(requiredString(input.labels, 'policyName', RULES.policyName));
    return undefined;
  },

  AttachPolicy(input, { registry }) {
    const policyName = requiredString(input.labels, 'policyName', RULES.policyName);
    registry.attachPolicy(policyName, requiredString(input.body, 'target'));
    return undefined;
  },

  DetachPolicy(input, { registry }) {
    const policyName = requiredString(input.labels, 'policyName', RULES.policyName);
    registry.detachPolicy(policyName, requiredString(input.body, 'target'));
    return undefined;
  },

  ListAttachedPolicies(input, { registry }) {
    const page = registry.listAttachedPolicies(requiredString(input.labels, 'target'), {
      pageSize: queryInteger(input.query, 'pageSize', 1, 250),
      marker: queryString(input.query, 'marker'),
    });
    return {
      policies: page.items.map((policy) => ({ policyName: policy.policyName, policyArn: policy.policyArn })),
      nextMarker: page.next,
    };
  },

  ListTargetsForPolicy(input, { registry }) {
    const page = registry.listTargetsForPolicy(requiredString(input.labels, 'policyName', RULES.policyName), {
      pageSize: queryInteger(input.query, 'pageSize', 1, 250),
      marker: queryString(input.query, 'marker'),
    });
    return { targets: page.items, nextMarker: page.next };
  },
};
