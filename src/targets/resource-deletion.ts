import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteCACertificateCommand,
  DeleteCertificateCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteProvisioningTemplateCommand,
  DeleteRoleAliasCommand,
  DeleteThingCommand,
  DeleteThingGroupCommand,
  DeleteThingTypeCommand,
  DeleteTopicRuleCommand,
  DeprecateThingTypeCommand,
  DescribeCertificateCommand,
  DescribeThingTypeCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  type IoTClient,
  ListAttachedPoliciesCommand,
  ListCertificatesByCACommand,
  ListPolicyVersionsCommand,
  ListPrincipalThingsCommand,
  ListTargetsForPolicyCommand,
  ListThingPrincipalsCommand,
  RemoveThingFromThingGroupCommand,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import type { ResourceRef } from '../contract/ledger.js';

/** Deleting one resource of each kind the ledger records. Every deletion is safe to repeat. */

export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'ResourceNotFoundException' || name === 'NotFoundException';
}

async function ignoreNotFound(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** The result of a list call, or `empty` when what it lists under is already gone. */
async function listOr<T, E>(call: () => Promise<T>, empty: E): Promise<T | E> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return empty;
    throw error;
  }
}

export function certificateIdFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export function isConnectionRefused(error: unknown, depth = 0): boolean {
  const e = error as { code?: unknown; cause?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  if (e.code === 'ECONNREFUSED') return true;
  return depth < 4 && isConnectionRefused(e.cause, depth + 1);
}

function isDeleteConflict(error: unknown): boolean {
  return (error as { name?: string }).name === 'DeleteConflictException';
}

/** The things a principal is attached to (none when it is gone). */
export async function thingsOf(iot: IoTClient, principal: string): Promise<string[]> {
  const page = await listOr(() => iot.send(new ListPrincipalThingsCommand({ principal })), { things: [] });
  return page.things ?? [];
}

/** The policies attached to a principal (none when it is gone). */
export async function policiesOf(iot: IoTClient, target: string): Promise<string[]> {
  const page = await listOr(() => iot.send(new ListAttachedPoliciesCommand({ target })), { policies: [] });
  return (page.policies ?? []).flatMap((policy) => (policy.policyName ? [policy.policyName] : []));
}

/**
 * Detaches everything hanging on a certificate: thing attachments (and, with `deleteThings`,
 * those things: JITP/JITR create them for the certificate) and policy attachments.
 */
async function detachEverything(
  iot: IoTClient,
  certificateArn: string,
  deleteThings: boolean,
): Promise<void> {
  for (const thingName of await thingsOf(iot, certificateArn)) {
    await ignoreNotFound(() =>
      iot.send(new DetachThingPrincipalCommand({ thingName, principal: certificateArn })),
    );
    if (deleteThings) await ignoreNotFound(() => iot.send(new DeleteThingCommand({ thingName })));
  }
  for (const policyName of await policiesOf(iot, certificateArn)) {
    await ignoreNotFound(() => iot.send(new DetachPolicyCommand({ policyName, target: certificateArn })));
  }
}

async function describeArn(iot: IoTClient, certificateId: string): Promise<string | null> {
  try {
    const described = await iot.send(new DescribeCertificateCommand({ certificateId }));
    return described.certificateDescription?.certificateArn ?? null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * Deletes one certificate: INACTIVE, then delete with forceDelete (which ignores attached
 * policies). Only if a thing is still attached (DeleteConflict) does it list and detach, which
 * keeps cleanup within the 10 TPS certificate quotas. `thorough` (certificates found under a
 * CA: JITR/JITP made their things and attachments, the ledger never saw them) lists first and
 * deletes the attached things too.
 */
export async function deleteCertificate(
  iot: IoTClient,
  certificateId: string,
  arn: string | undefined,
  thorough: boolean,
): Promise<void> {
  if (thorough) {
    const certificateArn = arn ?? (await describeArn(iot, certificateId));
    if (certificateArn === null) return;
    await detachEverything(iot, certificateArn, true);
  }
  await ignoreNotFound(() =>
    iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' })),
  );
  try {
    await ignoreNotFound(() => iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true })));
  } catch (error) {
    if (!isDeleteConflict(error)) throw error;
    const certificateArn = arn ?? (await describeArn(iot, certificateId));
    if (certificateArn === null) return;
    await detachEverything(iot, certificateArn, false);
    await ignoreNotFound(() => iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true })));
  }
}

/**
 * Detaches every principal of a run's thing. A certificate found there belongs to the run (a
 * bootstrap service made it for this thing, or its creation was never acknowledged): it is
 * deleted too, unless it is still attached to another thing. Returns how many it deleted.
 */
async function deleteThingPrincipals(iot: IoTClient, thingName: string): Promise<number> {
  const page = await listOr(() => iot.send(new ListThingPrincipalsCommand({ thingName })), {
    principals: [],
  });
  let certificates = 0;
  for (const principal of page.principals ?? []) {
    await ignoreNotFound(() => iot.send(new DetachThingPrincipalCommand({ thingName, principal })));
    if (!principal.includes(':cert/') || (await thingsOf(iot, principal)).length > 0) continue;
    await deleteCertificate(iot, certificateIdFromArn(principal), principal, false);
    certificates++;
  }
  return certificates;
}

/** DeletePolicyVersion; the default version is left to DeletePolicy (AWS refuses it here). */
async function deletePolicyVersion(
  iot: IoTClient,
  policyName: string,
  policyVersionId: string,
): Promise<void> {
  try {
    await ignoreNotFound(() => iot.send(new DeletePolicyVersionCommand({ policyName, policyVersionId })));
  } catch (error) {
    if (!isDeleteConflict(error)) throw error;
  }
}

/**
 * Detaches a policy from every target, then deletes it. AWS refuses DeletePolicy while versions
 * other than the default exist: on that conflict the non-default versions go first (listing them
 * only then keeps the usual deletion at its two calls).
 */
async function deletePolicy(iot: IoTClient, policyName: string): Promise<void> {
  const targets = await listOr(() => iot.send(new ListTargetsForPolicyCommand({ policyName })), null);
  if (targets === null) return;
  for (const target of targets.targets ?? []) {
    await ignoreNotFound(() => iot.send(new DetachPolicyCommand({ policyName, target })));
  }
  try {
    await ignoreNotFound(() => iot.send(new DeletePolicyCommand({ policyName })));
  } catch (error) {
    if (!isDeleteConflict(error)) throw error;
    const listed = await listOr(() => iot.send(new ListPolicyVersionsCommand({ policyName })), null);
    for (const version of listed?.policyVersions ?? []) {
      if (!version.isDefaultVersion && version.versionId) {
        await deletePolicyVersion(iot, policyName, version.versionId);
      }
    }
    await ignoreNotFound(() => iot.send(new DeletePolicyCommand({ policyName })));
  }
}

/** Deletes a CA certificate and every certificate registered under it (with their things). */
async function deleteCaCertificate(iot: IoTClient, caCertificateId: string): Promise<void> {
  let marker: string | undefined;
  do {
    const page = await listOr(
      () => iot.send(new ListCertificatesByCACommand({ caCertificateId, marker, pageSize: 250 })),
      null,
    );
    if (page === null) return;
    for (const certificate of page.certificates ?? []) {
      if (certificate.certificateId)
        await deleteCertificate(iot, certificate.certificateId, certificate.certificateArn, true);
    }
    marker = page.nextMarker;
  } while (marker);
  await ignoreNotFound(() =>
    iot.send(new UpdateCACertificateCommand({ certificateId: caCertificateId, newStatus: 'INACTIVE' })),
  );
  await ignoreNotFound(() => iot.send(new DeleteCACertificateCommand({ certificateId: caCertificateId })));
}

/** AWS: "Before you can delete a thing type, wait for five minutes after you deprecate it." */
export const THING_TYPE_DELETION_WAIT_MS = 5 * 60 * 1000;

/** Slack for the clock difference between this host and AWS when waiting out the deprecation. */
const CLOCK_SLACK_MS = 5_000;

export interface DeletionOptions {
  /** How long the target refuses DeleteThingType after DeprecateThingType (default AWS's 5 min). */
  thingTypeDeletionWaitMs?: number;
}

/** DeprecateThingType unless it already is; returns when it was deprecated, or null when gone. */
export async function deprecateThingType(iot: IoTClient, thingTypeName: string): Promise<Date | null> {
  const described = await listOr(() => iot.send(new DescribeThingTypeCommand({ thingTypeName })), null);
  if (described === null) return null;
  const metadata = described.thingTypeMetadata;
  if (metadata?.deprecated && metadata.deprecationDate) return metadata.deprecationDate;
  const before = new Date();
  await ignoreNotFound(() => iot.send(new DeprecateThingTypeCommand({ thingTypeName })));
  return before;
}

/**
 * Deletes a thing type: deprecated first (cleanup deprecates every type of the run before it
 * deletes anything, so the wait runs meanwhile), then DeleteThingType. While the target still
 * refuses because the deprecation is too recent, it waits out the rest of the wait once.
 */
async function deleteThingType(iot: IoTClient, thingTypeName: string, waitMs: number): Promise<void> {
  const deprecatedAt = await deprecateThingType(iot, thingTypeName);
  if (deprecatedAt === null) return;
  try {
    await ignoreNotFound(() => iot.send(new DeleteThingTypeCommand({ thingTypeName })));
  } catch (error) {
    const remaining = deprecatedAt.getTime() + waitMs - Date.now();
    if ((error as { name?: string }).name !== 'InvalidRequestException' || remaining <= -CLOCK_SLACK_MS)
      throw error;
    await sleep(Math.max(0, remaining) + CLOCK_SLACK_MS);
    await ignoreNotFound(() => iot.send(new DeleteThingTypeCommand({ thingTypeName })));
  }
}

/**
 * Deletes what one ledger entry records. A certificate without an id or ARN is one whose
 * creation was never acknowledged and that cleanup's resolution did not find: nothing to do
 * here. Returns the certificates it found and deleted beyond the entry (on a thing).
 */
export async function deleteResource(
  iot: IoTClient,
  r: ResourceRef,
  options: DeletionOptions = {},
): Promise<number> {
  switch (r.kind) {
    case 'thing-principal':
      if (r.thingName && r.principal) {
        const { thingName, principal } = r;
        await ignoreNotFound(() => iot.send(new DetachThingPrincipalCommand({ thingName, principal })));
      }
      return 0;
    case 'policy-principal':
      if (r.policyName && r.principal) {
        const { policyName, principal } = r;
        await ignoreNotFound(() => iot.send(new DetachPolicyCommand({ policyName, target: principal })));
      }
      return 0;
    case 'certificate': {
      const id = r.id ?? (r.arn ? certificateIdFromArn(r.arn) : undefined);
      if (id) await deleteCertificate(iot, id, r.arn, false);
      return 0;
    }
    case 'thing': {
      if (!r.name) return 0;
      const thingName = r.name;
      const certificates = await deleteThingPrincipals(iot, thingName);
      await ignoreNotFound(() => iot.send(new DeleteThingCommand({ thingName })));
      return certificates;
    }
    case 'policy':
      if (r.name) await deletePolicy(iot, r.name);
      return 0;
    case 'ca-certificate':
      if (r.id) await deleteCaCertificate(iot, r.id);
      return 0;
    case 'provisioning-template':
      if (r.name) {
        const templateName = r.name;
        await ignoreNotFound(() => iot.send(new DeleteProvisioningTemplateCommand({ templateName })));
      }
      return 0;
    case 'topic-rule':
      if (r.name) {
        const ruleName = r.name;
        await ignoreNotFound(() => iot.send(new DeleteTopicRuleCommand({ ruleName })));
      }
      return 0;
    case 'thing-group-membership':
      if (r.thingName && r.thingGroupName) {
        const { thingName, thingGroupName } = r;
        await ignoreNotFound(() =>
          iot.send(new RemoveThingFromThingGroupCommand({ thingGroupName, thingName })),
        );
      }
      return 0;
    case 'thing-group':
      // AWS deletes a group that still has things; one with child groups is refused, which is
      // why cleanup deletes a run's groups newest first.
      if (r.name) {
        const thingGroupName = r.name;
        await ignoreNotFound(() => iot.send(new DeleteThingGroupCommand({ thingGroupName })));
      }
      return 0;
    case 'thing-type':
      if (r.name)
        await deleteThingType(iot, r.name, options.thingTypeDeletionWaitMs ?? THING_TYPE_DELETION_WAIT_MS);
      return 0;
    case 'policy-version':
      if (r.policyName && r.id) await deletePolicyVersion(iot, r.policyName, r.id);
      return 0;
    case 'role-alias':
      if (r.name) {
        const roleAlias = r.name;
        await ignoreNotFound(() => iot.send(new DeleteRoleAliasCommand({ roleAlias })));
      }
      return 0;
  }
}
