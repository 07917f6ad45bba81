import type { PolicyVersionRecord } from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import { epochSeconds, queryBoolean, requiredString } from '../input.js';

const VERSION_ID = { pattern: /^[0-9]+$/ };

function versionLabels(labels: Record<string, string>): [string, string] {
  return [requiredString(labels, 'policyName'), requiredString(labels, 'policyVersionId', VERSION_ID)];
}

/** CreatePolicyVersion, ListPolicyVersions, GetPolicyVersion, SetDefaultPolicyVersion, DeletePolicyVersion. */
export const policyVersionOperations: OperationHandlers = {
  CreatePolicyVersion(input, { registry }) {
    const policyName = requiredString(input.labels, 'policyName');
    const policyDocument = requiredString(input.body, 'policyDocument');
    const setAsDefault = queryBoolean(input.query, 'setAsDefault') ?? false;
    const version = registry.policyVersions.create(policyName, policyDocument, setAsDefault);
    return {
      policyArn: registry.arns.policy(policyName),
      policyDocument: version.policyDocument,
      policyVersionId: version.versionId,
      isDefaultVersion: version.isDefaultVersion,
    };
  },

  /** Newest first, as AWS's list-policy-versions example shows. */
  ListPolicyVersions(input, { registry }) {
    const policyName = requiredString(input.labels, 'policyName');
    const newestFirst = [...registry.policyVersions.list(policyName)].sort(
      (a, b) => Number(b.versionId) - Number(a.versionId),
    );
    return {
      policyVersions: newestFirst.map((version: PolicyVersionRecord) => ({
        versionId: version.versionId,
        isDefaultVersion: version.isDefaultVersion,
        createDate: epochSeconds(version.creationDate),
      })),
    };
  },

  GetPolicyVersion(input, { registry }) {
    const [policyName, versionId] = versionLabels(input.labels);
    const version = registry.policyVersions.get(policyName, versionId);
    return {
      policyArn: registry.arns.policy(policyName),
      policyName,
      policyDocument: version.policyDocument,
      policyVersionId: version.versionId,
      isDefaultVersion: version.isDefaultVersion,
      creationDate: epochSeconds(version.creationDate),
      lastModifiedDate: epochSeconds(version.lastModifiedDate),
      generationId: version.generationId,
    };
  },

  SetDefaultPolicyVersion(input, { registry }) {
    registry.policyVersions.setDefault(...versionLabels(input.labels));
    return undefined;
  },

  DeletePolicyVersion(input, { registry }) {
    registry.policyVersions.delete(...versionLabels(input.labels));
    return undefined;
  },
};
