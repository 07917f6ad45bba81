export { AwsIotProvisioner, type OrphanRecord, type ProvisionedThing } from './aws-provisioner.js';
export { CellularNetwork, type CellularSession, normaliseAddress } from './cellular-network.js';
export { KryptonError } from './errors.js';
export { type AwsIotConfig, type KryptonGroupConfig, kryptonGroupConfigSchema } from './group-config.js';
export {
  type BootstrapResult,
  type KryptonCaller,
  KryptonService,
  type KryptonServiceOptions,
} from './krypton-service.js';
export { type KryptonServer, type KryptonServerOptions, startKryptonServer } from './server.js';
export { TIMESTAMP_WINDOW_MS } from './signed-request.js';
export { KEY_LIFETIME_MS, SimKeyStore } from './sim-keys.js';
