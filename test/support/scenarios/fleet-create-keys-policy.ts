import fleetProvisioning from '../../../scenarios/fleet-provisioning.js';
import { withOwnVariantPolicy } from './own-variant-policy.js';

/** fleet-provisioning in any variant, its actors holding the `create-keys` variant's policies. */
export default withOwnVariantPolicy(fleetProvisioning, 'create-keys', 'fleet-create-keys-policy');
