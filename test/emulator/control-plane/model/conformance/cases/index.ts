import type { ConformanceCase } from '../world.js';
import { accountCases } from './account.js';
import { caCertificateCases } from './ca-certificates.js';
import { certificateCases } from './certificates.js';
import { policyCases } from './policies.js';
import { policyVersionAndRoleAliasCases } from './policy-versions-role-aliases.js';
import { provisioningCases } from './provisioning.js';
import { thingGroupCases } from './thing-groups.js';
import { thingCases } from './things.js';

/** Every family's cases; a new resource family adds its file here. */
export const CONFORMANCE_CASES: ConformanceCase[] = [
  ...certificateCases,
  ...caCertificateCases,
  ...thingCases,
  ...policyCases,
  ...provisioningCases,
  ...accountCases,
  ...thingGroupCases,
  ...policyVersionAndRoleAliasCases,
];
