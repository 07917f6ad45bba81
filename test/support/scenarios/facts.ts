import type { ScenarioFacts } from '../../../src/contract/index.js';

/** The facts of a fixture scenario that makes no credential: nothing at the factory, no CA, no API. */
export const fixtureFacts: ScenarioFacts = {
  factorySteps: [],
  caToOperate: false,
  cloudCompute: null,
  bootstrapApi: null,
  secretsAtManufacturing: [],
  rootOfIdentity: 'none (test fixture)',
};
