import { describeEndToEnd } from '../support/e2e-suite.js';

describeEndToEnd('certificate patterns end to end on the embedded target', [
  'pre-issued',
  'byo-ca',
  'jitr',
  'jitp',
]);
