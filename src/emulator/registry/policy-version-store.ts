import { IotError, notFound } from './errors.js';
import { randomUuid } from './ids.js';
import { validatePolicyDocument } from './policy-document.js';
import type { PolicyRecord, PolicyVersionRecord } from './records.js';
import type { StoreContext } from './store-context.js';

/** AWS IoT keeps at most five versions of a policy (AWS IoT Core quotas, "policy versions"). */
export const MAX_POLICY_VERSIONS = 5;

/**
 * The versions of every IoT policy. The policy record keeps the default version's document and
 * ID, so everything that reads a policy (GetPolicy, the data plane's authorizer) sees the
 * default version without asking this store.
 */
export class PolicyVersionStore {
  private readonly versions = new Map<string, PolicyVersionRecord[]>();

  constructor(
    private readonly context: StoreContext,
    private readonly policy: (policyName: string) => PolicyRecord,
  ) {}

  /** CreatePolicy: version 1, the default. */
  addFirst(record: PolicyRecord): void {
    record.lastVersionId = 1;
    this.versions.set(record.policyName, [
      {
        policyName: record.policyName,
        versionId: '1',
        policyDocument: record.policyDocument,
        isDefaultVersion: true,
        creationDate: record.creationDate,
        lastModifiedDate: record.lastModifiedDate,
        generationId: record.generationId,
      },
    ]);
  }

  /** Every version of an existing policy, oldest first. */
  list(policyName: string): PolicyVersionRecord[] {
    this.policy(policyName);
    return this.versions.get(policyName) ?? [];
  }

  /** True when the policy has versions besides its default (DeletePolicy refuses then). */
  hasNonDefault(policyName: string): boolean {
    return (this.versions.get(policyName)?.length ?? 1) > 1;
  }

  create(policyName: string, policyDocument: string, setAsDefault: boolean): PolicyVersionRecord {
    const versions = this.list(policyName);
    if (versions.length >= MAX_POLICY_VERSIONS) {
      // AWS IoT's message, as users logged it (github.com/pulumi/pulumi-aws-native/issues/792), then what to do.
      throw new IotError(
        'VersionsLimitExceededException',
        `The policy ${policyName} already has the maximum number of versions (${MAX_POLICY_VERSIONS}): delete one (DeletePolicyVersion) first`,
      );
    }
    validatePolicyDocument(policyDocument);
    const policy = this.policy(policyName);
    const versionId = Math.max(policy.lastVersionId ?? 0, ...versions.map((v) => Number(v.versionId))) + 1;
    policy.lastVersionId = versionId;
    const now = this.context.now();
    const version: PolicyVersionRecord = {
      policyName,
      versionId: String(versionId),
      policyDocument,
      isDefaultVersion: false,
      creationDate: now,
      lastModifiedDate: now,
      generationId: randomUuid(),
    };
    versions.push(version);
    if (setAsDefault) this.makeDefault(policy, versions, version);
    this.context.changed();
    return version;
  }

  get(policyName: string, versionId: string): PolicyVersionRecord {
    const version = this.list(policyName).find((v) => v.versionId === versionId);
    if (version === undefined) {
      throw notFound(
        `Policy ${policyName} has no version ${versionId}: list its versions (ListPolicyVersions) for the IDs`,
      );
    }
    return version;
  }

  /** SetDefaultPolicyVersion: devices see the new document on their next authorisation. */
  setDefault(policyName: string, versionId: string): void {
    const version = this.get(policyName, versionId);
    this.makeDefault(this.policy(policyName), this.list(policyName), version);
    this.context.changed();
  }

  /** DeletePolicyVersion: any version but the default. */
  delete(policyName: string, versionId: string): void {
    const version = this.get(policyName, versionId);
    if (version.isDefaultVersion) {
      throw new IotError(
        'DeleteConflictException',
        `Cannot delete the default version of a policy (name=${policyName}, version=${versionId}): make another version the default (SetDefaultPolicyVersion) or delete the policy (DeletePolicy)`,
      );
    }
    const versions = this.list(policyName);
    versions.splice(versions.indexOf(version), 1);
    this.context.changed();
  }

  /** DeletePolicy went through: its last (default) version goes with it. */
  forget(policyName: string): void {
    this.versions.delete(policyName);
  }

  all(): PolicyVersionRecord[] {
    return [...this.versions.values()].flat();
  }

  /** Fills the store; a policy saved before versions were kept gets its one version back. */
  load(records: PolicyVersionRecord[], policies: Iterable<PolicyRecord>): void {
    for (const record of records) {
      const versions = this.versions.get(record.policyName) ?? [];
      versions.push(record);
      this.versions.set(record.policyName, versions);
    }
    for (const policy of policies) {
      if (this.versions.has(policy.policyName)) continue;
      this.addFirst(policy);
      this.versions.get(policy.policyName)![0]!.versionId = policy.defaultVersionId;
      policy.lastVersionId = Number(policy.defaultVersionId);
    }
  }

  private makeDefault(
    policy: PolicyRecord,
    versions: PolicyVersionRecord[],
    chosen: PolicyVersionRecord,
  ): void {
    for (const version of versions) version.isDefaultVersion = version === chosen;
    policy.policyDocument = chosen.policyDocument;
    policy.defaultVersionId = chosen.versionId;
    policy.lastModifiedDate = this.context.now();
    policy.generationId = randomUuid();
  }
}
