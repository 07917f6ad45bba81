export type { ControlPlaneContext, OperationHandler, OperationHandlers } from './context.js';
export type { OperationInput } from './input.js';
export { registerDeviceCertificate } from './operations/certificates.js';
export { createProvisioningRegistry } from './provisioning-registry.js';
export { QuotaGate } from './quota-gate.js';
export {
  FaultInjector,
  type FaultModelConfig,
  faultModelSchema,
  LatencyModel,
  type LatencyModelConfig,
  latencyModelSchema,
  parseModelFile,
} from './resilience.js';
export { matchRoute, type OperationName, ROUTES } from './routes.js';
export { ControlPlaneServer, type ControlPlaneServerOptions, OPERATION_HANDLERS } from './server.js';
export { TokenBucket } from './token-bucket.js';
