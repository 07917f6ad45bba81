export type { ControlPlaneContext, OperationHandler, OperationHandlers } from './context.js';
export {
  describeFaultIssue,
  type FaultEntry,
  FaultInjector,
  type FaultModelConfig,
  type FaultSpec,
  faultModelSchema,
  type InjectedFault,
} from './fault-model.js';
export { type IamFile, iamFileSchema } from './iam/iam-file.js';
export { IamGate, type IamPrincipal } from './iam/iam-gate.js';
export type { OperationInput } from './input.js';
export { registerDeviceCertificate } from './operations/certificates.js';
export { createProvisioningRegistry } from './provisioning-registry.js';
export { QuotaGate } from './quota-gate.js';
export {
  LatencyModel,
  type LatencyModelConfig,
  latencyModelSchema,
  ModelFileError,
  parseModelFile,
} from './resilience.js';
export { matchRoute, type OperationName, ROUTES } from './routes.js';
export { ControlPlaneServer, type ControlPlaneServerOptions, OPERATION_HANDLERS } from './server.js';
