export { IotArns } from './arn.js';
export {
  alreadyExists,
  IOT_ERROR_STATUS,
  IotError,
  type IotErrorCode,
  invalidRequest,
  notFound,
} from './errors.js';
export {
  type RegistryEventMap,
  type RegistryEventName,
  RegistryEvents,
  type RegistryListener,
} from './events.js';
export { type Page, paginate, paginateList } from './pagination.js';
export { validatePolicyDocument } from './policy-document.js';
export { MAX_POLICY_VERSIONS } from './policy-version-store.js';
export type {
  AutoRegistrationStatus,
  CaCertificateRecord,
  CaCertificateStatus,
  CertificateMode,
  CertificateRecord,
  CertificateStatus,
  PolicyRecord,
  PolicyVersionRecord,
  ProvisioningHook,
  ProvisioningTemplateRecord,
  RegistrationConfig,
  RoleAliasRecord,
  ThingGroupRecord,
  ThingRecord,
  ThingTypeRecord,
  TopicRuleRecord,
} from './records.js';
export {
  type AddCaCertificateInput,
  type AddCertificateInput,
  IotRegistry,
  type ListThingGroupsFilter,
  type ListThingsFilter,
  type RegistryOptions,
  type TemplateInput,
  type TemplateUpdate,
  type ThingGroupInput,
  type ThingGroupUpdate,
  type ThingInput,
  type ThingTypeInput,
  type ThingUpdate,
} from './registry.js';
export { DEFAULT_CREDENTIAL_DURATION_SECONDS } from './role-alias-store.js';
export type { RegistrySnapshot } from './snapshot.js';
export { THING_GROUP_LIMITS } from './thing-group-store.js';
export { MAX_SEARCHABLE_ATTRIBUTES, THING_TYPE_DELETION_WAIT_MS } from './thing-type-store.js';
