import type {
  CaCertificateRecord,
  CertificateRecord,
  PolicyRecord,
  PolicyVersionRecord,
  ProvisioningTemplateRecord,
  RoleAliasRecord,
  ThingGroupRecord,
  ThingRecord,
  ThingTypeRecord,
  TopicRuleRecord,
} from './records.js';

/** The registry as saved in `<stateDir>/registry.json`. */
export interface RegistrySnapshot {
  version: 1;
  region: string;
  accountId: string;
  sequence: number;
  endpointPrefix: string;
  registrationCode: string | undefined;
  certificates: CertificateRecord[];
  caCertificates: CaCertificateRecord[];
  things: ThingRecord[];
  policies: PolicyRecord[];
  provisioningTemplates: ProvisioningTemplateRecord[];
  topicRules: TopicRuleRecord[];
  /** Absent in snapshots saved before the emulator had thing types and groups. */
  thingTypes?: ThingTypeRecord[];
  thingGroups?: ThingGroupRecord[];
  /** [thingName, thingGroupName] */
  thingGroupMembers?: Array<[string, string]>;
  tags: Array<[string, Record<string, string>]>;
  /** [thingName, principal ARN] */
  thingPrincipals: Array<[string, string]>;
  /** [policyName, target] */
  policyTargets: Array<[string, string]>;
  /** Every version of every policy; absent in state saved before policy versions existed. */
  policyVersions?: PolicyVersionRecord[];
  roleAliases?: RoleAliasRecord[];
}
