export { conditionsHold, supportedConditionOperators } from './conditions.js';
export { PolicyDocumentCache } from './document-cache.js';
export {
  type AuthorizationRequest,
  type AuthorizationResult,
  type Decision,
  evaluatePolicies,
  type IotDataAction,
  iotResourceArn,
} from './evaluate.js';
export {
  MalformedPolicyError,
  type PolicyDocument,
  type PolicyStatement,
  parsePolicyDocument,
} from './policy-document.js';
export { type PolicyContext, resolveKey } from './variables.js';
export { wildcardMatches } from './wildcard.js';
