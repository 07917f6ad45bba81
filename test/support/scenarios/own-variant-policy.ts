import type { Scenario } from '../../../src/contract/index.js';

/**
 * A scenario that runs any variant but whose actors hold the IAM policies of one of its own
 * variants: on the embedded target a variant that needs more calls must be denied the first.
 */
export function withOwnVariantPolicy(scenario: Scenario, ownVariant: string, id: string): Scenario {
  const declare = scenario.iamPolicies;
  if (!declare) throw new Error(`${scenario.id} declares no IAM policies`);
  return { ...scenario, id, iamPolicies: (scope) => declare({ ...scope, variant: ownVariant }) };
}
