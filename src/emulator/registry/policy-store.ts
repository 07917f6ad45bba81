import { alreadyExists, IotError, notFound } from './errors.js';
import { randomUuid } from './ids.js';
import { validatePolicyDocument } from './policy-document.js';
import type { PolicyVersionStore } from './policy-version-store.js';
import { RecordTable } from './record-table.js';
import type { PolicyRecord } from './records.js';
import type { Relation } from './relation.js';
import type { StoreContext } from './store-context.js';
import type { TagStore } from './tag-store.js';

/** IoT policies; each record carries its default version's document (versions: PolicyVersionStore). */
export class PolicyStore {
  readonly records = new RecordTable<PolicyRecord>({
    missing: (policyName) => notFound(`Policy ${policyName} does not exist: create it (CreatePolicy) first`),
  });

  constructor(
    private readonly context: StoreContext,
    private readonly tags: TagStore,
    private readonly policyTargets: Relation,
    private readonly versions: () => PolicyVersionStore,
  ) {}

  create(policyName: string, policyDocument: string): PolicyRecord {
    const existing = this.records.get(policyName);
    if (existing) {
      throw alreadyExists(
        `Policy cannot be created - name already exists (name=${policyName})`,
        policyName,
        existing.policyArn,
      );
    }
    validatePolicyDocument(policyDocument);
    const now = this.context.now();
    const record: PolicyRecord = {
      policyName,
      policyArn: this.context.arns.policy(policyName),
      policyDocument,
      defaultVersionId: '1',
      creationDate: now,
      lastModifiedDate: now,
      generationId: randomUuid(),
    };
    this.records.set(policyName, record);
    this.versions().addFirst(record);
    this.context.changed();
    return record;
  }

  /** DeletePolicy: refused while the policy is attached to anything or has non-default versions. */
  delete(policyName: string): void {
    const record = this.records.require(policyName);
    if (this.policyTargets.hasLeft(policyName)) {
      throw new IotError(
        'DeleteConflictException',
        `The policy cannot be deleted as the policy is attached to one or more principals (name=${policyName}): detach it first`,
      );
    }
    if (this.versions().hasNonDefault(policyName)) {
      // AWS IoT's message word for word, as users logged it (github.com/rebuy-de/aws-nuke/pull/320).
      throw new IotError(
        'DeleteConflictException',
        `The policy cannot be deleted as versions other than than default version exist (name=${policyName}): delete them (DeletePolicyVersion) first`,
      );
    }
    this.records.delete(policyName);
    this.versions().forget(policyName);
    this.tags.forget(record.policyArn);
    this.context.changed();
  }

  load(records: PolicyRecord[]): void {
    for (const record of records) this.records.set(record.policyName, record);
  }
}
