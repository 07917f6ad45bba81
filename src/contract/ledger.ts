/** A resource a run creates, as written to the ledger. Only the fields that apply are set. */
export interface ResourceRef {
  kind: ResourceKind;
  /** Thing, policy, template, rule, thing type, thing group or role alias name. */
  name?: string;
  /** Certificate or CA certificate id; for `policy-version`: the version ID. */
  id?: string;
  arn?: string;
  /** For `thing-principal`: the thing; for a certificate not yet known by id: its thing. */
  thingName?: string;
  /** For `policy-principal` and `policy-version`: the policy. */
  policyName?: string;
  /** For `thing-group-membership`: the group (`thingName` is the thing). */
  thingGroupName?: string;
  /** For attachments: the certificate ARN (or other principal). */
  principal?: string;
  /**
   * For a certificate whose key the device made: SHA-256 (hex) of the public key's
   * SubjectPublicKeyInfo DER, known before the certificate exists (see src/pki/fingerprint.ts).
   */
  publicKey?: string;
  /** For a certificate a provisioning template's flow makes (fleet provisioning): the template. */
  templateName?: string;
  deviceIndex?: number;
}

export type ResourceKind =
  | 'thing'
  | 'certificate'
  | 'ca-certificate'
  | 'policy'
  | 'thing-principal'
  | 'policy-principal'
  | 'provisioning-template'
  | 'topic-rule'
  | 'thing-type'
  | 'thing-group'
  | 'thing-group-membership'
  | 'policy-version'
  | 'role-alias';

export interface LedgerHandle {
  /** Unique in the ledger file (several threads append to it). */
  readonly key: string;
}

/**
 * Append-only record of what a run creates, so `provbench cleanup --ledger` can remove it even
 * after a crash. Record the intent BEFORE the call that creates a resource, acknowledge with
 * what the call returned (a certificate's id is only known afterwards). `track` does both.
 * An intent must say what will identify the resource if the call never returns: a name, a
 * certificate id when it can be computed beforehand, else the device's public key, else the
 * thing it will be attached to (cleanup also searches the run's time window; see
 * docs/running.md "Cleanup and the ledger").
 */
export interface Ledger {
  intend(resource: ResourceRef): LedgerHandle;
  acknowledge(handle: LedgerHandle, details?: Partial<ResourceRef>): void;
  /** Intent, `create()`, then acknowledge with `identify(result)`; the result is returned. */
  track<T>(
    resource: ResourceRef,
    create: () => Promise<T>,
    identify?: (result: T) => Partial<ResourceRef>,
  ): Promise<T>;
}
