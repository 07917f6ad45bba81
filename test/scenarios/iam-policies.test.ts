import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../scenarios/index.js';
import type { Scenario } from '../../src/contract/index.js';
import { IAM_ACTORS, type IamPolicyDocument } from '../../src/contract/index.js';
import { iamFileSchema, ROUTES } from '../../src/emulator/control-plane/index.js';

const OPERATIONS = new Set<string>(ROUTES.map((route) => route[2]));

function actionsOf(document: IamPolicyDocument): string[] {
  return document.Statement.flatMap((statement) => [statement.Action].flat());
}

/** The scenario's variants, or `null` alone when it has none. */
function variantsOf(scenario: Scenario): Array<string | null> {
  return scenario.variants?.length ? [...scenario.variants] : [null];
}

describe('built-in scenarios declare an IAM policy per actor', () => {
  for (const scenario of Object.values(builtInScenarios) as Scenario[]) {
    it(`${scenario.id}: every control-plane call of its apiPlan is allowed to some actor of some variant, by name (no action wildcards)`, () => {
      const allowed = new Set<string>();
      for (const variant of variantsOf(scenario)) {
        const policies = scenario.iamPolicies?.({ runId: 'r1', variant }) ?? {};
        expect(Object.keys(policies).length, String(variant)).toBeGreaterThan(0);
        for (const actor of Object.keys(policies)) expect(IAM_ACTORS).toContain(actor);
        for (const document of Object.values(policies))
          for (const action of actionsOf(document)) allowed.add(action);
      }
      const planned = Object.keys({ ...scenario.apiPlan?.perDevice, ...scenario.apiPlan?.perRun }).filter(
        (name) => OPERATIONS.has(name),
      );
      for (const operation of planned) expect(allowed, operation).toContain(`iot:${operation}`);
      // Least privilege: no wildcard actions.
      for (const action of allowed) expect(action).not.toContain('*');
    });

    it(`${scenario.id}: its policies are valid identity policies for provbench emulator --iam, in every variant`, () => {
      for (const variant of variantsOf(scenario)) {
        const policies = Object.values(scenario.iamPolicies?.({ runId: 'r1', variant }) ?? {});
        const file = {
          principals: policies.map((document, index) => ({
            name: `actor-${index}`,
            accessKeyId: `AKIATEST00000000000${index}`,
            secretAccessKey: 's',
            policies: [document],
          })),
        };
        expect(iamFileSchema.safeParse(file).success, String(variant)).toBe(true);
      }
    });
  }
});

/** The operator's actions in one variant of a template pattern. */
function operatorActions(scenario: Scenario, variant: string): string[] {
  const operator = scenario.iamPolicies?.({ runId: 'r1', variant }).operator;
  if (!operator) throw new Error(`${scenario.id} declares no operator policy`);
  return actionsOf(operator);
}

const VARIANT_ONLY_ACTIONS = [
  'iot:CreateThingType',
  'iot:CreateThingGroup',
  'iot:CreateRoleAlias',
  'iot:DescribeEndpoint',
];

describe('the template patterns grant each variant exactly its own operator calls', () => {
  const { jitp, 'fleet-provisioning': fleet } = builtInScenarios as Record<string, Scenario>;
  for (const [scenario, own] of [
    [jitp, ['plain']],
    [fleet, ['create-keys', 'create-from-csr']],
  ] as const) {
    it(`${scenario?.id}: its own variants get none of the thing-type, thing-group and role-alias calls`, () => {
      if (!scenario) throw new Error('missing built-in scenario');
      for (const variant of own) {
        expect(
          operatorActions(scenario, variant).filter((action) => VARIANT_ONLY_ACTIONS.includes(action)),
        ).toEqual([]);
      }
    });

    it(`${scenario?.id}: thing-type-and-group gets the type and group calls only; role-alias-credentials the role alias calls only`, () => {
      if (!scenario) throw new Error('missing built-in scenario');
      const extra = (variant: string) =>
        operatorActions(scenario, variant).filter((action) => VARIANT_ONLY_ACTIONS.includes(action));
      expect(extra('thing-type-and-group')).toEqual(['iot:CreateThingType', 'iot:CreateThingGroup']);
      expect(extra('role-alias-credentials')).toEqual(['iot:CreateRoleAlias', 'iot:DescribeEndpoint']);
      const passRoles = (variant: string) =>
        scenario
          .iamPolicies?.({ runId: 'r1', variant })
          .operator?.Statement.filter((statement) => statement.Action === 'iam:PassRole').length;
      // The provisioning role always; the devices' credentials role with the role alias only.
      expect(passRoles('thing-type-and-group')).toBe(1);
      expect(passRoles('role-alias-credentials')).toBe(2);
    });
  }
});
