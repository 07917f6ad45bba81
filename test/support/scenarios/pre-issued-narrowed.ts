import preIssued from '../../../scenarios/pre-issued.js';
import type { Scenario } from '../../../src/contract/index.js';

/**
 * pre-issued with a factory policy one action short (no iot:AttachThingPrincipal): on the
 * embedded target every device's factory step must be denied at that call.
 */
const narrowed: Scenario = {
  ...(preIssued as unknown as Scenario),
  id: 'pre-issued-narrowed',
  iamPolicies: (scope) => {
    const policies = preIssued.iamPolicies?.(scope) ?? {};
    const factory = policies.factory;
    if (!factory) throw new Error('pre-issued declares no factory policy');
    const statements = factory.Statement.map((statement) => ({
      ...statement,
      Action: [statement.Action].flat().filter((action) => action !== 'iot:AttachThingPrincipal'),
    })).filter((statement) => statement.Action.length > 0);
    return { ...policies, factory: { ...factory, Statement: statements } };
  },
};

export default narrowed;
