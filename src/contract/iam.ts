/**
 * Who in a provisioning pattern calls the AWS IoT control plane, and the IAM identity policy each
 * needs. A scenario declares one policy per actor it has (Scenario.iamPolicies); on the embedded
 * target each actor then runs with its own credentials holding exactly that policy, so a passing
 * run shows the policies are sufficient. Actors:
 * - `operator`: the pattern's one-time setup and teardown (`prepare`, `teardown`): CAs,
 *   policies, templates.
 * - `factory`: the per-device factory step (`manufacture`).
 * - `activator`: a cloud function reacting to events (the JITR activator; a Lambda on AWS).
 * - `bootstrap`: a bootstrap service provisioning on the device's behalf (the Krypton service).
 */
export const IAM_ACTORS = ['operator', 'factory', 'activator', 'bootstrap'] as const;
export type IamActor = (typeof IAM_ACTORS)[number];

export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

export type IamPolicies = Partial<Record<IamActor, IamPolicyDocument>>;

/**
 * What a scenario's policies are for: the run, whose id starts every resource name it makes, and
 * the selected variant (the scenario's first when none is asked for; null when it has none), so a
 * variant's policy allows exactly the variant's calls.
 */
export interface IamScope {
  runId: string;
  variant: string | null;
}

/**
 * Whose actors a run's IAM keys are: one scenario in one variant (a run may run a scenario in
 * several variants, each with its own policies). `id` alone for a scenario without variants.
 */
export function iamActorsKey(scenarioId: string, variant: string | null): string {
  return variant === null ? scenarioId : `${scenarioId}:${variant}`;
}
