export {
  DataPlane,
  type DataPlaneLimits,
  type DataPlaneOptions,
  MQTT_ALPN,
  type RejectionEvent,
} from './gateway.js';
export { judgeCertificate } from './identity.js';
export { certificateIssuerFor, dataPlaneRegistryFor } from './iot-registry-adapter.js';
export type { JitOutcome } from './jit-registration.js';
export * from './ports.js';
export { parseRuleSql, type RuleInvocation, topicMatchesFilter } from './topic-rules.js';
