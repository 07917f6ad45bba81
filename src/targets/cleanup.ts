import {
  DeleteCACertificateCommand,
  DeleteCertificateCommand,
  DeletePolicyCommand,
  DeleteProvisioningTemplateCommand,
  DeleteThingCommand,
  DeleteTopicRuleCommand,
  DescribeCertificateCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  type IoTClient,
  ListAttachedPoliciesCommand,
  ListCertificatesByCACommand,
  ListPrincipalThingsCommand,
  ListTargetsForPolicyCommand,
  ListThingPrincipalsCommand,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { describeError } from '../engine/errors.js';
import { FileLedger, type LedgerEntry, readLedger } from './ledger.js';
import type { ResourceKind } from './resources.js';

/** Deletion order: attachments first, then what they attached, then the CA and run-wide setup. */
export const CLEANUP_ORDER: readonly ResourceKind[] = [
  'thing-principal',
  'policy-principal',
  'certificate',
  'thing',
  'policy',
  'ca-certificate',
  'provisioning-template',
  'topic-rule',
];

export interface CleanupReport {
  deleted: Record<string, number>;
  failed: Array<{ key: string; kind: string; message: string }>;
}

export interface CleanupOptions {
  /** Deletions in flight at once (our IoTClient retries throttling with backoff). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

function isNotFound(error: unknown): boolean {
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

function certificateIdFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/**
 * Deletes one certificate and everything hanging on it: thing attachments (and, with
 * `deleteThings`, those things: JITP/JITR create them for the certificate), policy attachments,
 * then INACTIVE and delete. Safe to repeat.
 */
async function detachEverything(
  iot: IoTClient,
  certificateArn: string,
  deleteThings: boolean,
): Promise<void> {
  const things = await iot
    .send(new ListPrincipalThingsCommand({ principal: certificateArn }))
    .catch((error) => {
      if (isNotFound(error)) return { things: [] };
      throw error;
    });
  for (const thingName of things.things ?? []) {
    await ignoreNotFound(() =>
      iot.send(new DetachThingPrincipalCommand({ thingName, principal: certificateArn })),
    );
    if (deleteThings) await iot.send(new DeleteThingCommand({ thingName }));
  }
  const policies = await iot
    .send(new ListAttachedPoliciesCommand({ target: certificateArn }))
    .catch((error) => {
      if (isNotFound(error)) return { policies: [] };
      throw error;
    });
  for (const policy of policies.policies ?? []) {
    if (policy.policyName) {
      await ignoreNotFound(() =>
        iot.send(new DetachPolicyCommand({ policyName: policy.policyName, target: certificateArn })),
      );
    }
  }
}

function isConnectionRefused(error: unknown, depth = 0): boolean {
  const e = error as { code?: unknown; cause?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  if (e.code === 'ECONNREFUSED') return true;
  return depth < 4 && isConnectionRefused(e.cause, depth + 1);
}

function isDeleteConflict(error: unknown): boolean {
  return (error as { name?: string }).name === 'DeleteConflictException';
}

/**
 * Deletes one certificate: INACTIVE, then delete with forceDelete (which ignores attached
 * policies). Only if a thing is still attached (DeleteConflict) does it list and detach, which
 * keeps cleanup within the 10 TPS certificate quotas. `thorough` (certificates found under a
 * CA: JITR/JITP made their things and attachments, the ledger never saw them) lists first and
 * deletes the attached things too. Safe to repeat.
 */
async function deleteCertificate(
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

async function describeArn(iot: IoTClient, certificateId: string): Promise<string | null> {
  try {
    const described = await iot.send(new DescribeCertificateCommand({ certificateId }));
    return described.certificateDescription?.certificateArn ?? null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

async function deleteEntry(iot: IoTClient, entry: LedgerEntry): Promise<void> {
  const r = entry.resource;
  switch (r.kind) {
    case 'thing-principal':
      if (r.thingName && r.principal) {
        await ignoreNotFound(() =>
          iot.send(new DetachThingPrincipalCommand({ thingName: r.thingName, principal: r.principal })),
        );
      }
      return;
    case 'policy-principal':
      if (r.policyName && r.principal) {
        await ignoreNotFound(() =>
          iot.send(new DetachPolicyCommand({ policyName: r.policyName, target: r.principal })),
        );
      }
      return;
    case 'certificate': {
      const id = r.id ?? (r.arn ? certificateIdFromArn(r.arn) : undefined);
      if (id) {
        await deleteCertificate(iot, id, r.arn, false);
      } else if (r.thingName) {
        // Crashed between creating the certificate and acknowledging it: find it through its thing.
        await deleteThingPrincipals(iot, r.thingName, true);
      }
      return;
    }
    case 'thing':
      if (r.name) {
        await deleteThingPrincipals(iot, r.name, false);
        await iot.send(new DeleteThingCommand({ thingName: r.name }));
      }
      return;
    case 'policy':
      if (r.name) {
        const policyName = r.name;
        const targets = await iot.send(new ListTargetsForPolicyCommand({ policyName })).catch((error) => {
          if (isNotFound(error)) return null;
          throw error;
        });
        if (targets === null) return;
        for (const target of targets.targets ?? []) {
          await ignoreNotFound(() => iot.send(new DetachPolicyCommand({ policyName, target })));
        }
        await ignoreNotFound(() => iot.send(new DeletePolicyCommand({ policyName })));
      }
      return;
    case 'ca-certificate':
      if (r.id) {
        const caCertificateId = r.id;
        let marker: string | undefined;
        do {
          const page = await iot
            .send(new ListCertificatesByCACommand({ caCertificateId, marker, pageSize: 250 }))
            .catch((error) => {
              if (isNotFound(error)) return null;
              throw error;
            });
          if (page === null) return;
          for (const certificate of page.certificates ?? []) {
            if (certificate.certificateId) {
              await deleteCertificate(iot, certificate.certificateId, certificate.certificateArn, true);
            }
          }
          marker = page.nextMarker;
        } while (marker);
        await ignoreNotFound(() =>
          iot.send(new UpdateCACertificateCommand({ certificateId: caCertificateId, newStatus: 'INACTIVE' })),
        );
        await ignoreNotFound(() =>
          iot.send(new DeleteCACertificateCommand({ certificateId: caCertificateId })),
        );
      }
      return;
    case 'provisioning-template':
      if (r.name)
        await ignoreNotFound(() => iot.send(new DeleteProvisioningTemplateCommand({ templateName: r.name })));
      return;
    case 'topic-rule':
      if (r.name) await ignoreNotFound(() => iot.send(new DeleteTopicRuleCommand({ ruleName: r.name })));
      return;
  }
}

async function deleteThingPrincipals(
  iot: IoTClient,
  thingName: string,
  deleteCertificates: boolean,
): Promise<void> {
  const principals = await iot.send(new ListThingPrincipalsCommand({ thingName })).catch((error) => {
    if (isNotFound(error)) return { principals: [] };
    throw error;
  });
  for (const principal of principals.principals ?? []) {
    await ignoreNotFound(() => iot.send(new DetachThingPrincipalCommand({ thingName, principal })));
    if (deleteCertificates && principal.includes(':cert/')) {
      await deleteCertificate(iot, certificateIdFromArn(principal), principal, false);
    }
  }
}

/**
 * A certificate whose creation was never acknowledged (crash in between) has no id in the
 * ledger. Find it before anything is detached: from an attachment the ledger recorded for the
 * same thing, else from the thing's principals.
 */
async function resolveUnacknowledgedCertificates(iot: IoTClient, entries: LedgerEntry[]): Promise<void> {
  for (const entry of entries) {
    const r = entry.resource;
    if (r.kind !== 'certificate' || r.id || r.arn || !r.thingName) continue;
    const attached = entries.find(
      (other) =>
        other.resource.kind === 'thing-principal' &&
        other.resource.thingName === r.thingName &&
        other.resource.principal?.includes(':cert/'),
    );
    if (attached?.resource.principal) {
      r.arn = attached.resource.principal;
      continue;
    }
    const principals = await iot
      .send(new ListThingPrincipalsCommand({ thingName: r.thingName }))
      .catch(() => ({ principals: [] }));
    const certificateArn = principals.principals?.find((principal) => principal.includes(':cert/'));
    if (certificateArn) r.arn = certificateArn;
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(runners);
}

/**
 * Deletes everything a ledger records, in CLEANUP_ORDER, marking each entry deleted in the
 * ledger as it goes: idempotent (missing resources count as gone) and resumable after a crash
 * (deleted entries are skipped). Failures are collected, not thrown, so one stuck resource
 * does not keep the others alive; rerun to retry them.
 */
export async function cleanupFromLedger(
  iot: IoTClient,
  ledgerPath: string,
  options: CleanupOptions = {},
): Promise<CleanupReport> {
  const entries = readLedger(ledgerPath).filter((entry) => !entry.deleted);
  const report: CleanupReport = { deleted: {}, failed: [] };
  if (entries.length === 0) return report;
  await resolveUnacknowledgedCertificates(iot, entries);
  const runId = entries[0]?.runId ?? 'cleanup';
  const ledger = new FileLedger(ledgerPath, runId, `cleanup${process.pid}`);
  let done = 0;
  // Nobody listening at the control plane: every further call would fail the same way after
  // its retries, so stop and leave the rest to a rerun.
  let unreachable: string | null = null;
  try {
    for (const kind of CLEANUP_ORDER) {
      const batch = entries.filter((entry) => entry.resource.kind === kind);
      await forEachLimited(batch, options.concurrency ?? 8, async (entry) => {
        if (unreachable !== null) {
          report.failed.push({ key: entry.key, kind, message: unreachable });
        } else {
          try {
            await deleteEntry(iot, entry);
            ledger.markDeleted(entry.key, entry.runId);
            report.deleted[kind] = (report.deleted[kind] ?? 0) + 1;
          } catch (error) {
            const message = describeError(error);
            if (isConnectionRefused(error))
              unreachable = `control plane unreachable (${message}); rerun cleanup when it is up`;
            report.failed.push({ key: entry.key, kind, message });
          }
        }
        options.onProgress?.(++done, entries.length);
      });
    }
  } finally {
    ledger.close();
  }
  return report;
}
