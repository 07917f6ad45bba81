import type { PolicyRecord } from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import { epochSeconds, header, requiredString } from '../input.js';
import { markerPaging, orderedMarkerPaging } from '../paging.js';
import { tagList } from './tags.js';

/** A Policy as the list calls return it. */
const policyNameAndArn = (policy: PolicyRecord) => ({
  policyName: policy.policyName,
  policyArn: policy.policyArn,
});

export const policyOperations: OperationHandlers = {
  CreatePolicy(input, { registry }) {
    const policyName = requiredString(input.labels, 'policyName');
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
    const record = registry.describePolicy(requiredString(input.labels, 'policyName'));
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
    const page = registry.listPolicies(orderedMarkerPaging(input));
    return { policies: page.items.map(policyNameAndArn), nextMarker: page.next };
  },

  DeletePolicy(input, { registry }) {
    registry.deletePolicy(requiredString(input.labels, 'policyName'));
    return undefined;
  },

  AttachPolicy(input, { registry }) {
    const policyName = requiredString(input.labels, 'policyName');
    registry.attachPolicy(policyName, requiredString(input.body, 'target'));
    return undefined;
  },

  DetachPolicy(input, { registry }) {
    const policyName = requiredString(input.labels, 'policyName');
    registry.detachPolicy(policyName, requiredString(input.body, 'target'));
    return undefined;
  },

  ListAttachedPolicies(input, { registry }) {
    const page = registry.listAttachedPolicies(requiredString(input.labels, 'target'), markerPaging(input));
    return { policies: page.items.map(policyNameAndArn), nextMarker: page.next };
  },

  ListTargetsForPolicy(input, { registry }) {
    const page = registry.listTargetsForPolicy(
      requiredString(input.labels, 'policyName'),
      markerPaging(input),
    );
    return { targets: page.items, nextMarker: page.next };
  },

  /** The older ListAttachedPolicies: the principal comes in the x-amzn-iot-principal header. */
  ListPrincipalPolicies(input, { registry }) {
    const principal = requiredString({ principal: header(input, 'x-amzn-iot-principal') }, 'principal');
    const page = registry.listAttachedPolicies(principal, markerPaging(input));
    return { policies: page.items.map(policyNameAndArn), nextMarker: page.next };
  },

  /** The older ListTargetsForPolicy: the policy name comes in the x-amzn-iot-policy header. */
  ListPolicyPrincipals(input, { registry }) {
    const policyName = requiredString({ policyName: header(input, 'x-amzn-iot-policy') }, 'policyName');
    const page = registry.listTargetsForPolicy(policyName, markerPaging(input));
    return { principals: page.items, nextMarker: page.next };
  },
};
