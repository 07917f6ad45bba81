import type { Scenario } from '../src/contract/index.js';
import byoCa from './byo-ca.js';
import fleetProvisioning from './fleet-provisioning.js';
import jitp from './jitp.js';
import jitr from './jitr.js';
import krypton from './krypton.js';
import preIssued from './pre-issued.js';

/**
 * The built-in patterns in the order of docs/design.md, The patterns: the four the user asked
 * for, then AWS's newer answers. Keyed by the id used on the command line. Workers load each
 * scenario from its own module file (`scenarios/<id>.ts`), so every id here is also a file name.
 */
export const builtInScenarios = {
  'pre-issued': preIssued,
  'byo-ca': byoCa,
  jitr,
  krypton,
  jitp,
  'fleet-provisioning': fleetProvisioning,
} as const satisfies Record<string, Scenario<never>>;

export type BuiltInScenarioId = keyof typeof builtInScenarios;
