import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../scenarios/index.js';
import type { Scenario } from '../../src/contract/index.js';
import { IAM_ACTORS, type IamPolicyDocument } from '../../src/contract/index.js';
import { iamFileSchema, ROUTES } from '../../src/emulator/control-plane/index.js';

const OPERATIONS = new Set<string>(ROUTES.map((route) => route[2]));

function actionsOf(document: IamPolicyDocument): string[] {
  return document.Statement.flatMap((statement) => [statement.Action].flat());
}

describe('built-in scenarios declare an IAM policy per actor', () => {
  for (const scenario of Object.values(builtInScenarios) as Scenario[]) {
    it(`${scenario.id}: every control-plane call of its apiPlan is allowed to some actor, by name (no action wildcards)`, () => {
      const policies = scenario.iamPolicies?.({ runId: 'r1' }) ?? {};
      expect(Object.keys(policies).length).toBeGreaterThan(0);
      for (const actor of Object.keys(policies)) expect(IAM_ACTORS).toContain(actor);
      const allowed = new Set(Object.values(policies).flatMap((document) => actionsOf(document)));
      const planned = Object.keys({ ...scenario.apiPlan?.perDevice, ...scenario.apiPlan?.perRun }).filter(
        (name) => OPERATIONS.has(name),
      );
      for (const operation of planned) expect(allowed, operation).toContain(`iot:${operation}`);
      // Least privilege: no wildcard actions.
      for (const action of allowed) expect(action).not.toContain('*');
    });

    it(`${scenario.id}: its policies are valid identity policies for provbench emulator --iam`, () => {
      const policies = Object.values(scenario.iamPolicies?.({ runId: 'r1' }) ?? {});
      const file = {
        principals: policies.map((document, index) => ({
          name: `actor-${index}`,
          accessKeyId: `AKIATEST00000000000${index}`,
          secretAccessKey: 's',
          policies: [document],
        })),
      };
      expect(iamFileSchema.safeParse(file).success).toBe(true);
    });
  }
});
