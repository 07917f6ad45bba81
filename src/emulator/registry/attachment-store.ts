import type { CertificateStore } from './certificate-store.js';
import { IotError, invalidRequest } from './errors.js';
import { type ListRequest, type Page, pageOptions, paginateList } from './pagination.js';
import type { PolicyStore } from './policy-store.js';
import type { PolicyRecord, ThingRecord } from './records.js';
import type { Relation } from './relation.js';
import type { StoreContext } from './store-context.js';
import type { ThingStore } from './thing-store.js';

export type ThingPrincipalType = 'EXCLUSIVE_THING' | 'NON_EXCLUSIVE_THING';

const isCertificateArn = (target: string): boolean =>
  target.startsWith('arn:aws:iot:') && target.includes(':cert/');

/**
 * Which principals are attached to which things, and which policies to which targets
 * (certificate ARNs, Cognito identities, groups). The stores of things, policies and
 * certificates share the two relations to refuse deleting what is attached.
 */
export class AttachmentStore {
  private readonly thingPrincipals: Relation;
  private readonly policyTargets: Relation;
  private readonly things: ThingStore;
  private readonly policies: PolicyStore;
  private readonly certificates: CertificateStore;

  constructor(
    private readonly context: StoreContext,
    private readonly policiesPerPrincipal: number,
    stores: {
      /** [thingName, principal ARN] */
      thingPrincipals: Relation;
      /** [policyName, target] */
      policyTargets: Relation;
      things: ThingStore;
      policies: PolicyStore;
      certificates: CertificateStore;
    },
  ) {
    this.thingPrincipals = stores.thingPrincipals;
    this.policyTargets = stores.policyTargets;
    this.things = stores.things;
    this.policies = stores.policies;
    this.certificates = stores.certificates;
  }

  attachThingPrincipal(thingName: string, principal: string, type?: ThingPrincipalType): void {
    const thing = this.things.records.require(thingName);
    const certificate = this.certificates.forPrincipal(principal);
    const attached = this.thingPrincipals.countLefts(principal);
    if (
      type === 'EXCLUSIVE_THING' &&
      attached > 0 &&
      (attached > 1 || !this.thingPrincipals.hasPair(thingName, principal))
    ) {
      throw invalidRequest(
        `Principal ${principal} is already attached to another thing; EXCLUSIVE_THING allows only one`,
      );
    }
    // The records' own strings, so the index holds no copies of the request's.
    this.thingPrincipals.add(thing.thingName, certificate.certificateArn);
    this.context.changed();
  }

  detachThingPrincipal(thingName: string, principal: string): void {
    this.things.records.require(thingName);
    this.thingPrincipals.delete(thingName, principal);
    this.context.changed();
  }

  listThingPrincipals(thingName: string, request: ListRequest): Page<string> {
    this.things.records.require(thingName);
    return this.thingPrincipals.pageOfRights(thingName, request);
  }

  listPrincipalThings(principal: string, request: ListRequest): Page<string> {
    this.certificates.forPrincipal(principal);
    return this.thingPrincipals.pageOfLefts(principal, request);
  }

  /** Hot path: things attached to a principal ARN. */
  thingsForPrincipal(principal: string): ThingRecord[] {
    return this.thingPrincipals
      .lefts(principal)
      .map((name) => this.things.records.get(name)!)
      .filter(Boolean);
  }

  /** AttachPolicy: the policy and (for a certificate ARN) the certificate must exist; at most 10 per target. */
  attachPolicy(policyName: string, target: string): void {
    const policy = this.policies.records.require(policyName);
    const storedTarget = isCertificateArn(target)
      ? this.certificates.forPrincipal(target).certificateArn
      : target;
    if (this.policyTargets.hasPair(policyName, target)) return;
    if (this.policyTargets.countLefts(target) >= this.policiesPerPrincipal) {
      throw new IotError(
        'LimitExceededException',
        `A target may have at most ${this.policiesPerPrincipal} policies attached: detach one first`,
      );
    }
    this.policyTargets.add(policy.policyName, storedTarget);
    this.context.changed();
  }

  detachPolicy(policyName: string, target: string): void {
    this.policyTargets.delete(policyName, target);
    this.context.changed();
  }

  listAttachedPolicies(target: string, request: ListRequest): Page<PolicyRecord> {
    if (isCertificateArn(target)) this.certificates.forPrincipal(target);
    return paginateList(this.policiesForPrincipal(target), pageOptions(request));
  }

  listTargetsForPolicy(policyName: string, request: ListRequest): Page<string> {
    this.policies.records.require(policyName);
    return this.policyTargets.pageOfRights(policyName, request);
  }

  /** Hot path: policies attached to a principal ARN. */
  policiesForPrincipal(principal: string): PolicyRecord[] {
    return this.policyTargets
      .lefts(principal)
      .map((name) => this.policies.records.get(name)!)
      .filter(Boolean);
  }
}
