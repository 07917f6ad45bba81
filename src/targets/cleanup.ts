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
import { describeError } from '../contract/errors.js';
import type { ResourceKind } from '../contract/ledger.js';
import {
  FileLedger,
  intendedResource,
  type LedgerEntry,
  ledgerEntryId,
  ledgerLines,
  ledgerSize,
} from './ledger.js';

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

/** What one pass over the ledger learns before anything is deleted. */
interface LedgerSurvey {
  /** Entries a previous cleanup already deleted. */
  deleted: Set<string>;
  /** Intents per kind (deleted ones included). */
  intents: Map<ResourceKind, number>;
  /** Certificates whose creation was never acknowledged and are not deleted. */
  unacknowledgedCertificates: LedgerEntry[];
  runId: string | null;
}

async function surveyLedger(path: string, endByte: number): Promise<LedgerSurvey> {
  const deleted = new Set<string>();
  const intents = new Map<ResourceKind, number>();
  const pendingCertificates = new Map<string, LedgerEntry>();
  let runId: string | null = null;
  for await (const line of ledgerLines(path, { endByte })) {
    const id = ledgerEntryId(line);
    if (line.op === 'intend') {
      const resource = intendedResource(line, path);
      runId ??= line.runId;
      intents.set(resource.kind, (intents.get(resource.kind) ?? 0) + 1);
      if (resource.kind === 'certificate') {
        pendingCertificates.set(id, {
          key: line.key,
          runId: line.runId,
          resource,
          acknowledged: false,
          deleted: false,
        });
      }
    } else if (line.op === 'ack') {
      pendingCertificates.delete(id);
    } else {
      deleted.add(id);
    }
  }
  const unacknowledgedCertificates = [...pendingCertificates].flatMap(([id, entry]) =>
    deleted.has(id) ? [] : [entry],
  );
  return { deleted, intents, unacknowledgedCertificates, runId };
}

/**
 * Streams the entries of one kind that are not deleted yet: acknowledged ones as their
 * acknowledgement is read, the never-acknowledged ones at the end. Only intents still waiting
 * for their acknowledgement are held in memory.
 */
async function* entriesOfKind(
  path: string,
  endByte: number,
  kind: ResourceKind,
  deleted: ReadonlySet<string>,
): AsyncGenerator<LedgerEntry> {
  const pending = new Map<string, LedgerEntry>();
  for await (const line of ledgerLines(path, { endByte, validate: false })) {
    const id = ledgerEntryId(line);
    if (line.op === 'intend') {
      if (line.resource?.kind !== kind || deleted.has(id)) continue;
      pending.set(id, {
        key: line.key,
        runId: line.runId,
        resource: intendedResource(line, path),
        acknowledged: false,
        deleted: false,
      });
    } else if (line.op === 'ack') {
      const entry = pending.get(id);
      if (!entry) continue;
      pending.delete(id);
      entry.acknowledged = true;
      entry.resource = { ...entry.resource, ...line.resource, kind };
      yield entry;
    }
  }
  yield* pending.values();
}

/**
 * A certificate whose creation was never acknowledged (crash in between) has no id in the
 * ledger. Find it before anything is detached: from an attachment the ledger recorded for the
 * same thing, else from the thing's principals. Returns certificate ARNs by entry id.
 */
async function resolveUnacknowledgedCertificates(
  iot: IoTClient,
  path: string,
  endByte: number,
  survey: LedgerSurvey,
): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  const byThing = new Map<string, string[]>();
  for (const entry of survey.unacknowledgedCertificates) {
    const r = entry.resource;
    if (r.id || r.arn || !r.thingName) continue;
    byThing.set(r.thingName, [...(byThing.get(r.thingName) ?? []), ledgerEntryId(entry)]);
  }
  if (byThing.size === 0) return resolved;
  for await (const attachment of entriesOfKind(path, endByte, 'thing-principal', survey.deleted)) {
    const { thingName, principal } = attachment.resource;
    if (!thingName || !principal?.includes(':cert/')) continue;
    for (const id of byThing.get(thingName) ?? []) if (!resolved.has(id)) resolved.set(id, principal);
  }
  for (const [thingName, ids] of byThing) {
    const unresolved = ids.filter((id) => !resolved.has(id));
    if (unresolved.length === 0) continue;
    const principals = await iot
      .send(new ListThingPrincipalsCommand({ thingName }))
      .catch(() => ({ principals: [] }));
    const certificateArn = principals.principals?.find((principal) => principal.includes(':cert/'));
    if (certificateArn) for (const id of unresolved) resolved.set(id, certificateArn);
  }
  return resolved;
}

/** Runs tasks with at most `limit` in flight; `add` waits for a free slot. */
class InFlightLimit {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const promise = task().finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
  }
}

/**
 * Deletes everything a ledger records, in CLEANUP_ORDER, marking each entry deleted in the
 * ledger as it goes: idempotent (missing resources count as gone) and resumable after a crash
 * (deleted entries are skipped). Failures are collected, not thrown, so one stuck resource
 * does not keep the others alive; rerun to retry them. The ledger is streamed, one pass per
 * kind, so memory does not grow with its length.
 */
export async function cleanupFromLedger(
  iot: IoTClient,
  ledgerPath: string,
  options: CleanupOptions = {},
): Promise<CleanupReport> {
  const endByte = ledgerSize(ledgerPath);
  const survey = await surveyLedger(ledgerPath, endByte);
  const report: CleanupReport = { deleted: {}, failed: [] };
  const total = [...survey.intents.values()].reduce((sum, count) => sum + count, 0) - survey.deleted.size;
  if (total <= 0 || survey.runId === null) return report;
  const resolvedCertificates = await resolveUnacknowledgedCertificates(iot, ledgerPath, endByte, survey);
  const ledger = new FileLedger(ledgerPath, survey.runId, `cleanup${process.pid}`);
  const limit = new InFlightLimit(Math.max(1, options.concurrency ?? 8));
  let done = 0;
  // Nobody listening at the control plane: every further call would fail the same way after
  // its retries, so stop and leave the rest to a rerun.
  let unreachable: string | null = null;
  const deleteOne = async (kind: ResourceKind, entry: LedgerEntry) => {
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
    options.onProgress?.(++done, total);
  };
  try {
    for (const kind of CLEANUP_ORDER) {
      if (!survey.intents.get(kind)) continue;
      for await (const entry of entriesOfKind(ledgerPath, endByte, kind, survey.deleted)) {
        const arn = resolvedCertificates.get(ledgerEntryId(entry));
        if (arn && !entry.resource.arn) entry.resource.arn = arn;
        await limit.add(() => deleteOne(kind, entry));
      }
      // Attachments must be gone before what they attach is deleted.
      await limit.drain();
    }
  } finally {
    await limit.drain();
    ledger.close();
  }
  return report;
}
