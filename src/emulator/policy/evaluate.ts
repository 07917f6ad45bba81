import { conditionsHold } from './conditions.js';
import { asList, type PolicyDocument, type PolicyStatement, statementsOf } from './policy-document.js';
import { compileWithVariables, type PolicyContext } from './variables.js';
import { tokensMatch, wildcardMatches } from './wildcard.js';

export type IotDataAction = 'iot:Connect' | 'iot:Publish' | 'iot:Subscribe' | 'iot:Receive';

export interface AuthorizationRequest {
  action: IotDataAction | string;
  /** Full resource ARN, e.g. `arn:aws:iot:us-east-1:123456789012:topic/things/a/data`. */
  resource: string;
  context: PolicyContext;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

export interface AuthorizationResult {
  decision: Decision;
  allowed: boolean;
  /** The statement that decided (the first matching Deny, else the first matching Allow). */
  statement?: PolicyStatement;
}

function anyActionMatches(patterns: string | string[] | undefined, action: string): boolean {
  if (patterns === undefined) return false;
  if (typeof patterns === 'string') return wildcardMatches(patterns, action, true);
  for (const pattern of patterns) if (wildcardMatches(pattern, action, true)) return true;
  return false;
}

function actionMatches(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined) return anyActionMatches(statement.Action, action);
  return !anyActionMatches(statement.NotAction, action);
}

function anyResourceMatches(
  patterns: string | string[] | undefined,
  resource: string,
  context: PolicyContext,
): boolean {
  for (const pattern of asList(patterns)) {
    const compiled = compileWithVariables(pattern, context);
    if (compiled !== undefined && tokensMatch(compiled, resource)) return true;
  }
  return false;
}

function resourceMatches(statement: PolicyStatement, resource: string, context: PolicyContext): boolean {
  if (statement.Resource !== undefined) return anyResourceMatches(statement.Resource, resource, context);
  return !anyResourceMatches(statement.NotResource, resource, context);
}

function statementApplies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  return (
    actionMatches(statement, request.action) &&
    resourceMatches(statement, request.resource, request.context) &&
    conditionsHold(statement.Condition, request.context)
  );
}

/**
 * Evaluates every policy attached to a principal as AWS IoT does: an explicit Deny in any of
 * them wins, otherwise any Allow allows, otherwise the request is implicitly denied (so a
 * principal with no policy can do nothing).
 */
export function evaluatePolicies(
  documents: readonly PolicyDocument[],
  request: AuthorizationRequest,
): AuthorizationResult {
  let allowing: PolicyStatement | undefined;
  for (const document of documents) {
    for (const statement of statementsOf(document)) {
      if (!statementApplies(statement, request)) continue;
      if (statement.Effect === 'Deny') {
        return { decision: 'explicit-deny', allowed: false, statement };
      }
      allowing ??= statement;
    }
  }
  if (allowing !== undefined) return { decision: 'allow', allowed: true, statement: allowing };
  return { decision: 'implicit-deny', allowed: false };
}

/** Resource ARNs for the data-plane actions. */
export const iotResourceArn = {
  client: (region: string, accountId: string, clientId: string) =>
    `arn:aws:iot:${region}:${accountId}:client/${clientId}`,
  topic: (region: string, accountId: string, topic: string) =>
    `arn:aws:iot:${region}:${accountId}:topic/${topic}`,
  topicFilter: (region: string, accountId: string, filter: string) =>
    `arn:aws:iot:${region}:${accountId}:topicfilter/${filter}`,
};
