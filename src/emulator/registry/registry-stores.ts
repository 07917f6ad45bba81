import { AccountStore } from './account-store.js';
import type { IotArns } from './arn.js';
import { AttachmentStore } from './attachment-store.js';
import { CaCertificateStore } from './ca-certificate-store.js';
import { CertificateStore } from './certificate-store.js';
import { PolicyStore } from './policy-store.js';
import { PolicyVersionStore } from './policy-version-store.js';
import { Relation } from './relation.js';
import { RoleAliasStore } from './role-alias-store.js';
import type { RegistrySnapshot } from './snapshot.js';
import { StoreContext } from './store-context.js';
import { TagStore } from './tag-store.js';
import { TemplateStore } from './template-store.js';
import { ThingGroupStore } from './thing-group-store.js';
import { ThingStore } from './thing-store.js';
import { THING_TYPE_DELETION_WAIT_MS, ThingTypeStore } from './thing-type-store.js';
import { TopicRuleStore } from './topic-rule-store.js';

/** Account limits the registry enforces (defaults are AWS's). */
export interface RegistryLimits {
  caCertificatesPerSubject?: number;
  policiesPerPrincipal?: number;
  provisioningTemplates?: number;
  /** How long after DeprecateThingType DeleteThingType is refused (AWS: 5 minutes). */
  thingTypeDeletionWaitMs?: number;
  roleAliases?: number;
}

/** One store per resource kind, wired to the others where AWS's rules cross kinds. */
export class RegistryStores {
  readonly context: StoreContext;
  readonly account: AccountStore;
  readonly tags: TagStore;
  readonly certificates: CertificateStore;
  readonly caCertificates: CaCertificateStore;
  readonly things: ThingStore;
  readonly thingTypes: ThingTypeStore;
  readonly thingGroups: ThingGroupStore;
  readonly policies: PolicyStore;
  readonly policyVersions: PolicyVersionStore;
  readonly roleAliases: RoleAliasStore;
  readonly attachments: AttachmentStore;
  readonly templates: TemplateStore;
  readonly topicRules: TopicRuleStore;
  /** [thingName, principal ARN] */
  readonly thingPrincipals = new Relation();
  /** [policyName, target] */
  readonly policyTargets = new Relation();

  constructor(arns: IotArns, now: () => number, limits: RegistryLimits = {}) {
    const context = new StoreContext(arns, now);
    const relations = { thingPrincipals: this.thingPrincipals, policyTargets: this.policyTargets };
    this.context = context;
    this.account = new AccountStore(context, arns.region);
    this.tags = new TagStore(context, (kind, id) => this.exists(kind, id));
    this.certificates = new CertificateStore(context, this.tags, relations, (id) =>
      this.caCertificates.records.has(id),
    );
    this.caCertificates = new CaCertificateStore(
      context,
      this.tags,
      limits.caCertificatesPerSubject ?? 10,
      (templateName) => this.templates.records.has(templateName),
    );
    this.templates = new TemplateStore(
      context,
      this.tags,
      limits.provisioningTemplates ?? 256,
      (templateName) => this.caCertificates.usingTemplate(templateName)?.certificateId,
    );
    this.things = new ThingStore(context, this.tags, this.thingPrincipals, {
      requireThingType: (name, change) => this.thingTypes.requireAssignable(name, change),
      forgetThing: (name) => this.thingGroups.forgetThing(name),
    });
    this.thingTypes = new ThingTypeStore(
      context,
      this.tags,
      limits.thingTypeDeletionWaitMs ?? THING_TYPE_DELETION_WAIT_MS,
      (name) => this.things.hasType(name),
    );
    this.thingGroups = new ThingGroupStore(context, this.tags, (name) => this.things.records.has(name));
    this.policies = new PolicyStore(context, this.tags, this.policyTargets, () => this.policyVersions);
    this.policyVersions = new PolicyVersionStore(context, (name) => this.policies.records.require(name));
    this.roleAliases = new RoleAliasStore(context, this.tags, limits.roleAliases ?? 100);
    this.attachments = new AttachmentStore(context, limits.policiesPerPrincipal ?? 10, {
      ...relations,
      things: this.things,
      policies: this.policies,
      certificates: this.certificates,
    });
    this.topicRules = new TopicRuleStore(context, this.tags);
  }

  /** True when a taggable resource of this kind (as ARNs name it) exists. */
  private exists(kind: string, id: string): boolean {
    const stores: Record<string, { records: { has(key: string): boolean } } | undefined> = {
      thing: this.things,
      policy: this.policies,
      cert: this.certificates,
      cacert: this.caCertificates,
      provisioningtemplate: this.templates,
      rule: this.topicRules,
      thingtype: this.thingTypes,
      thinggroup: this.thingGroups,
      rolealias: this.roleAliases,
    };
    return stores[kind]?.records.has(id) ?? false;
  }

  /** Everything the stores hold, as saved in the state dir. */
  toSnapshot(): RegistrySnapshot {
    const { region, accountId } = this.context.arns;
    return {
      version: 1,
      region,
      accountId,
      sequence: this.context.sequence,
      endpointPrefix: this.account.endpointPrefix,
      registrationCode: this.account.registrationCode,
      certificates: [...this.certificates.records.values()],
      caCertificates: [...this.caCertificates.records.values()],
      things: [...this.things.records.values()],
      policies: [...this.policies.records.values()],
      provisioningTemplates: [...this.templates.records.values()],
      topicRules: [...this.topicRules.records.values()],
      thingTypes: [...this.thingTypes.records.values()],
      thingGroups: [...this.thingGroups.records.values()],
      thingGroupMembers: [...this.thingGroups.members.pairs()],
      tags: this.tags.entries(),
      thingPrincipals: [...this.thingPrincipals.pairs()],
      policyTargets: [...this.policyTargets.pairs()],
      policyVersions: this.policyVersions.all(),
      roleAliases: [...this.roleAliases.records.values()],
    };
  }

  /** Fills empty stores from a snapshot (region and account must match). */
  load(snapshot: RegistrySnapshot): void {
    const { region, accountId } = this.context.arns;
    if (snapshot.region !== region || snapshot.accountId !== accountId) {
      throw new Error(
        `state was saved for ${snapshot.accountId}/${snapshot.region}, not ${accountId}/${region}: use another --state-dir`,
      );
    }
    this.context.sequence = snapshot.sequence;
    this.account.endpointPrefix = snapshot.endpointPrefix;
    this.account.registrationCode = snapshot.registrationCode;
    this.certificates.load(snapshot.certificates);
    this.caCertificates.load(snapshot.caCertificates);
    this.things.load(snapshot.things);
    this.policies.load(snapshot.policies);
    this.policyVersions.load(snapshot.policyVersions ?? [], this.policies.records.values());
    this.roleAliases.load(snapshot.roleAliases ?? []);
    this.templates.load(snapshot.provisioningTemplates);
    this.topicRules.load(snapshot.topicRules);
    this.thingTypes.load(snapshot.thingTypes ?? []);
    this.thingGroups.load(snapshot.thingGroups ?? [], snapshot.thingGroupMembers ?? []);
    this.tags.load(snapshot.tags);
    for (const [thingName, principal] of snapshot.thingPrincipals)
      this.thingPrincipals.add(thingName, principal);
    for (const [policyName, target] of snapshot.policyTargets) this.policyTargets.add(policyName, target);
  }
}
