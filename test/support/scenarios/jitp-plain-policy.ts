import jitp from '../../../scenarios/jitp.js';
import type { Scenario } from '../../../src/contract/index.js';
import { withOwnVariantPolicy } from './own-variant-policy.js';

/** jitp in any variant, its actors holding the `plain` variant's policies. */
export default withOwnVariantPolicy(jitp as unknown as Scenario, 'plain', 'jitp-plain-policy');
