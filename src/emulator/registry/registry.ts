import type { ParsedCertificate } from '../../pki/index.js';
import type { AccountStore, EndpointType } from './account-store.js';
import { IotArns } from './arn.js';
import type { AttachmentStore, ThingPrincipalType } from './attachment-store.js';
import type {
  AddCaCertificateInput,
  CaCertificateStore,
  CaCertificateUpdate,
} from './ca-certificate-store.js';
import type { AddCertificateInput, CertificateStore } from './certificate-store.js';
import type { RegistryEvents } from './events.js';
import { type ListRequest, type Page, paginateList } from './pagination.js';
import type { PolicyStore } from './policy-store.js';
import type { PolicyVersionStore } from './policy-version-store.js';
import type {
  CaCertificateRecord,
  CertificateRecord,
  CertificateStatus,
  PolicyRecord,
  ProvisioningTemplateRecord,
  ThingRecord,
  TopicRuleRecord,
} from './records.js';
import { type RegistryLimits, RegistryStores } from './registry-stores.js';
import type { RoleAliasStore } from './role-alias-store.js';
import type { RegistrySnapshot } from './snapshot.js';
import type { TagStore } from './tag-store.js';
import type { TemplateInput, TemplateStore, TemplateUpdate } from './template-store.js';
import type { ThingGroupStore } from './thing-group-store.js';
import type { ListThingsFilter, ThingInput, ThingStore, ThingUpdate } from './thing-store.js';
import type { ThingTypeStore } from './thing-type-store.js';
import type { TopicRuleStore } from './topic-rule-store.js';

export type { AddCaCertificateInput } from './ca-certificate-store.js';
export type { AddCertificateInput } from './certificate-store.js';
export type { TemplateInput, TemplateUpdate } from './template-store.js';
export type { ListThingGroupsFilter, ThingGroupInput, ThingGroupUpdate } from './thing-group-store.js';
export type { ListThingsFilter, ThingInput, ThingUpdate } from './thing-store.js';
export type { ThingTypeInput } from './thing-type-store.js';

export interface RegistryOptions {
  region: string;
  accountId: string;
  /** Account limits the registry enforces (defaults are AWS's). */
  limits?: RegistryLimits;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * The emulated account's AWS IoT registry: one store per resource kind (certificates, CAs,
 * things, policies, attachments, provisioning templates, topic rules, tags, account settings)
 * behind the operations' names. Every method is synchronous and either applies its whole change
 * or throws an IotError and changes nothing.
 */
export class IotRegistry {
  readonly arns: IotArns;
  readonly events: RegistryEvents;
  readonly region: string;
  readonly accountId: string;
  /** Thing types and static thing groups: their stores' methods are the operations. */
  readonly thingTypes: ThingTypeStore;
  readonly thingGroups: ThingGroupStore;
  /** Policy versions and role aliases: their operations are the stores' own methods. */
  readonly policyVersions: PolicyVersionStore;
  readonly roleAliases: RoleAliasStore;
  private readonly stores: RegistryStores;
  private readonly account: AccountStore;
  private readonly certificates: CertificateStore;
  private readonly caCertificates: CaCertificateStore;
  private readonly things: ThingStore;
  private readonly policies: PolicyStore;
  private readonly attachments: AttachmentStore;
  private readonly templates: TemplateStore;
  private readonly topicRules: TopicRuleStore;
  private readonly tags: TagStore;

  constructor(options: RegistryOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.arns = new IotArns(options.region, options.accountId);
    this.stores = new RegistryStores(this.arns, options.now ?? Date.now, options.limits);
    this.account = this.stores.account;
    this.certificates = this.stores.certificates;
    this.caCertificates = this.stores.caCertificates;
    this.things = this.stores.things;
    this.thingTypes = this.stores.thingTypes;
    this.thingGroups = this.stores.thingGroups;
    this.policies = this.stores.policies;
    this.attachments = this.stores.attachments;
    this.templates = this.stores.templates;
    this.topicRules = this.stores.topicRules;
    this.tags = this.stores.tags;
    this.policyVersions = this.stores.policyVersions;
    this.roleAliases = this.stores.roleAliases;
    this.events = this.stores.context.events;
  }

  // ---- account: endpoint and registration code ------------------------------------------

  endpointAddress(type: EndpointType): string {
    return this.account.endpointAddress(type);
  }

  getRegistrationCode(): string {
    return this.account.getRegistrationCode();
  }

  /** The current code without creating one. */
  currentRegistrationCode(): string | undefined {
    return this.account.registrationCode;
  }

  deleteRegistrationCode(): void {
    this.account.deleteRegistrationCode();
  }

  // ---- certificates ---------------------------------------------------------------------

  /** Hot path: a certificate by ID (including provisioning claims), or undefined. */
  getCertificate(certificateId: string): CertificateRecord | undefined {
    return this.certificates.records.get(certificateId);
  }

  describeCertificate(certificateId: string): CertificateRecord {
    return this.certificates.describe(certificateId);
  }

  addCertificate(input: AddCertificateInput): CertificateRecord {
    return this.certificates.add(input);
  }

  updateCertificateStatus(
    certificateId: string,
    status: CertificateStatus,
    options: { internal?: boolean } = {},
  ): CertificateRecord {
    return this.certificates.updateStatus(certificateId, status, options);
  }

  deleteCertificate(certificateId: string, forceDelete = false): void {
    this.certificates.delete(certificateId, forceDelete);
  }

  removeCertificate(certificateId: string): void {
    this.certificates.remove(certificateId);
  }

  listCertificates(
    options: Pick<ListRequest, 'pageSize' | 'marker' | 'ascendingOrder'> & { caCertificateId?: string },
  ): Page<CertificateRecord> {
    if (options.caCertificateId !== undefined) this.describeCaCertificate(options.caCertificateId);
    return this.certificates.list(options);
  }

  // ---- CA certificates ------------------------------------------------------------------

  getCaCertificate(certificateId: string): CaCertificateRecord | undefined {
    return this.caCertificates.records.get(certificateId);
  }

  describeCaCertificate(certificateId: string): CaCertificateRecord {
    return this.caCertificates.records.require(certificateId);
  }

  findCaCertificatesBySubject(subjectName: string): CaCertificateRecord[] {
    return this.caCertificates.findBySubject(subjectName);
  }

  findSigningCaCertificate(certificate: ParsedCertificate): CaCertificateRecord | undefined {
    return this.caCertificates.findSigner(certificate);
  }

  /** JITR/JITP: registers an unknown device certificate signed by `ca` as PENDING_ACTIVATION. */
  registerPendingActivation(certificate: ParsedCertificate, ca: CaCertificateRecord): CertificateRecord {
    return this.certificates.add({
      certificate,
      status: 'PENDING_ACTIVATION',
      origin: 'registered',
      caCertificateId: ca.certificateId,
      certificateMode: ca.certificateMode,
    });
  }

  parsedCaCertificate(certificateId: string): ParsedCertificate | undefined {
    return this.caCertificates.parsedCertificate(certificateId);
  }

  addCaCertificate(input: AddCaCertificateInput): CaCertificateRecord {
    return this.caCertificates.add(input);
  }

  updateCaCertificate(certificateId: string, update: CaCertificateUpdate): CaCertificateRecord {
    return this.caCertificates.update(certificateId, update);
  }

  deleteCaCertificate(certificateId: string): void {
    this.caCertificates.delete(certificateId);
  }

  listCaCertificates(
    options: Pick<ListRequest, 'pageSize' | 'marker' | 'ascendingOrder'> & { templateName?: string },
  ): Page<CaCertificateRecord> {
    return this.caCertificates.list(options);
  }

  // ---- things and their principals ------------------------------------------------------

  getThing(thingName: string): ThingRecord | undefined {
    return this.things.records.get(thingName);
  }

  describeThing(thingName: string): ThingRecord {
    return this.things.records.require(thingName);
  }

  createThing(input: ThingInput): ThingRecord {
    return this.things.create(input);
  }

  updateThing(thingName: string, update: ThingUpdate): ThingRecord {
    return this.things.update(thingName, update);
  }

  deleteThing(thingName: string, expectedVersion?: number): void {
    this.things.delete(thingName, expectedVersion);
  }

  listThings(options: ListThingsFilter & Pick<ListRequest, 'maxResults' | 'nextToken'>): Page<ThingRecord> {
    return this.things.list(options);
  }

  attachThingPrincipal(thingName: string, principal: string, thingPrincipalType?: ThingPrincipalType): void {
    this.attachments.attachThingPrincipal(thingName, principal, thingPrincipalType);
  }

  detachThingPrincipal(thingName: string, principal: string): void {
    this.attachments.detachThingPrincipal(thingName, principal);
  }

  listThingPrincipals(
    thingName: string,
    options: Pick<ListRequest, 'maxResults' | 'nextToken'> = {},
  ): Page<string> {
    return this.attachments.listThingPrincipals(thingName, options);
  }

  listPrincipalThings(
    principal: string,
    options: Pick<ListRequest, 'maxResults' | 'nextToken'> = {},
  ): Page<string> {
    return this.attachments.listPrincipalThings(principal, options);
  }

  thingsForPrincipal(principal: string): ThingRecord[] {
    return this.attachments.thingsForPrincipal(principal);
  }

  thingsForCertificate(certificateId: string): ThingRecord[] {
    return this.attachments.thingsForPrincipal(this.arns.certificate(certificateId));
  }

  // ---- policies and their targets -------------------------------------------------------

  getPolicy(policyName: string): PolicyRecord | undefined {
    return this.policies.records.get(policyName);
  }

  describePolicy(policyName: string): PolicyRecord {
    return this.policies.records.require(policyName);
  }

  createPolicy(policyName: string, policyDocument: string): PolicyRecord {
    return this.policies.create(policyName, policyDocument);
  }

  deletePolicy(policyName: string): void {
    this.policies.delete(policyName);
  }

  attachPolicy(policyName: string, target: string): void {
    this.attachments.attachPolicy(policyName, target);
  }

  detachPolicy(policyName: string, target: string): void {
    this.attachments.detachPolicy(policyName, target);
  }

  listAttachedPolicies(
    target: string,
    options: Pick<ListRequest, 'pageSize' | 'marker'> = {},
  ): Page<PolicyRecord> {
    return this.attachments.listAttachedPolicies(target, options);
  }

  listTargetsForPolicy(
    policyName: string,
    options: Pick<ListRequest, 'pageSize' | 'marker'> = {},
  ): Page<string> {
    return this.attachments.listTargetsForPolicy(policyName, options);
  }

  /** ListPolicies: by creation, oldest first unless `ascendingOrder` is false. */
  listPolicies(
    options: { pageSize?: number; marker?: string; ascendingOrder?: boolean } = {},
  ): Page<PolicyRecord> {
    const ascending = options.ascendingOrder ?? true;
    const ordered = [...this.policies.records.values()].sort(
      (a, b) =>
        (a.creationDate - b.creationDate || a.policyName.localeCompare(b.policyName)) * (ascending ? 1 : -1),
    );
    return paginateList(ordered, { pageSize: options.pageSize, token: options.marker });
  }

  /** Hot path: policies attached to a principal ARN. */
  policiesForPrincipal(principal: string): PolicyRecord[] {
    return this.attachments.policiesForPrincipal(principal);
  }

  policiesForCertificate(certificateId: string): PolicyRecord[] {
    return this.attachments.policiesForPrincipal(this.arns.certificate(certificateId));
  }

  // ---- provisioning templates -----------------------------------------------------------

  getProvisioningTemplate(templateName: string): ProvisioningTemplateRecord | undefined {
    return this.templates.records.get(templateName);
  }

  describeProvisioningTemplate(templateName: string): ProvisioningTemplateRecord {
    return this.templates.records.require(templateName);
  }

  createProvisioningTemplate(input: TemplateInput): ProvisioningTemplateRecord {
    return this.templates.create(input);
  }

  updateProvisioningTemplate(templateName: string, update: TemplateUpdate): ProvisioningTemplateRecord {
    return this.templates.update(templateName, update);
  }

  deleteProvisioningTemplate(templateName: string): void {
    this.templates.delete(templateName);
  }

  listProvisioningTemplates(
    options: Pick<ListRequest, 'maxResults' | 'nextToken'> = {},
  ): Page<ProvisioningTemplateRecord> {
    return this.templates.records.page(options);
  }

  // ---- topic rules ----------------------------------------------------------------------

  createTopicRule(input: Omit<TopicRuleRecord, 'ruleArn' | 'createdAt'>): TopicRuleRecord {
    return this.topicRules.create(input);
  }

  getTopicRule(ruleName: string): TopicRuleRecord | undefined {
    return this.topicRules.records.get(ruleName);
  }

  deleteTopicRule(ruleName: string): void {
    this.topicRules.delete(ruleName);
  }

  /** Hot path for the data plane: every stored rule. */
  listTopicRules(): TopicRuleRecord[] {
    return [...this.topicRules.records.values()];
  }

  // ---- tags -----------------------------------------------------------------------------

  tagResource(resourceArn: string, tags: Record<string, string>): void {
    this.tags.tagResource(resourceArn, tags);
  }

  untagResource(resourceArn: string, tagKeys: string[]): void {
    this.tags.untagResource(resourceArn, tagKeys);
  }

  listTagsForResource(resourceArn: string): Record<string, string> {
    return this.tags.listTagsForResource(resourceArn);
  }

  // ---- persistence ----------------------------------------------------------------------

  toSnapshot(): RegistrySnapshot {
    return this.stores.toSnapshot();
  }

  /** Fills this (new) registry from a snapshot (region and account must match). */
  loadSnapshot(snapshot: RegistrySnapshot): void {
    this.stores.load(snapshot);
  }
}
