import { describeEndToEnd } from '../support/e2e-suite.js';

describeEndToEnd('bootstrap patterns end to end on the embedded target', [
  'krypton:cellular',
  'krypton:sim-auth',
  'fleet-provisioning:create-keys',
  'fleet-provisioning:create-from-csr',
]);
