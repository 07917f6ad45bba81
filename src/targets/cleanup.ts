import type { IoTClient } from '@aws-sdk/client-iot';
import { describeError } from '../contract/errors.js';
import type { ResourceKind } from '../contract/ledger.js';
import {
  resolveCertificates,
  type UnattributedResource,
  type WindowCertificate,
} from './certificate-resolution.js';
import { FileLedger, type LedgerEntry, ledgerEntryId, ledgerSize } from './ledger.js';
import { entriesOfKind, surveyLedger } from './ledger-survey.js';
import {
  deleteCertificate,
  deleteResource,
  deprecateThingType,
  isConnectionRefused,
} from './resource-deletion.js';

export type { UnattributedResource } from './certificate-resolution.js';

/**
 * Deletion order: attachments and memberships first, then what they attached, then the CA and
 * run-wide setup; thing groups (newest first: children before parents) and thing types (once
 * no thing has them) last.
 */
export const CLEANUP_ORDER: readonly ResourceKind[] = [
  'thing-group-membership',
  'thing-principal',
  'policy-principal',
  'certificate',
  'thing',
  'policy-version',
  'policy',
  'ca-certificate',
  'provisioning-template',
  'topic-rule',
  'thing-group',
  'thing-type',
  'role-alias',
];

export interface CleanupReport {
  /** Resources deleted, by kind (certificates found on the run's things or in its window too). */
  deleted: Record<string, number>;
  failed: Array<{ key: string; kind: string; message: string }>;
  /** What may belong to the run but cannot be told apart from others' (listed, not deleted). */
  unattributed: UnattributedResource[];
}

/** Whether anything of the run may remain after this cleanup. */
export function resourcesMayRemain(report: CleanupReport): boolean {
  return report.failed.length > 0 || report.unattributed.length > 0;
}

export interface CleanupOptions {
  /** Deletions in flight at once (our IoTClient retries throttling with backoff). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Also delete certificates created in the run's window that nothing claims (no ledger
   * entry, thing, policy or CA of any run). Only on an account no one else provisions in.
   */
  includeUnattributed?: boolean;
  /** How long the target refuses DeleteThingType after DeprecateThingType (default AWS's 5 min). */
  thingTypeDeletionWaitMs?: number;
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
 * (deleted entries are skipped). Certificates whose creation was never acknowledged are found
 * first (certificate-resolution.ts); what cannot be attributed for certain is reported in
 * `unattributed` and its intents stay open, so a rerun looks again. Failures are collected,
 * not thrown, so one stuck resource does not keep the others alive; rerun to retry them. The
 * ledger is streamed, one pass per kind, so memory does not grow with its length.
 */
export async function cleanupFromLedger(
  iot: IoTClient,
  ledgerPath: string,
  options: CleanupOptions = {},
): Promise<CleanupReport> {
  const endByte = ledgerSize(ledgerPath);
  const survey = await surveyLedger(ledgerPath, endByte);
  const report: CleanupReport = { deleted: {}, failed: [], unattributed: [] };
  const total = [...survey.intents.values()].reduce((sum, count) => sum + count, 0) - survey.deleted.size;
  if (total <= 0 || survey.runId === null) return report;
  const includeUnattributed = options.includeUnattributed ?? false;
  let resolution: Awaited<ReturnType<typeof resolveCertificates>>;
  try {
    resolution = await resolveCertificates(iot, ledgerPath, endByte, survey, { includeUnattributed });
  } catch (error) {
    // Without the resolution, a certificate entry without an id could not be told apart from
    // one that made nothing: stop before anything is detached and leave it all for a rerun.
    report.failed.push({
      key: '-',
      kind: 'certificate',
      message: `finding unacknowledged certificates failed: ${describeError(error)}; rerun cleanup`,
    });
    return report;
  }
  const extra: WindowCertificate[] = [...resolution.owned];
  if (includeUnattributed) extra.push(...resolution.unattributed.map((u) => u.certificate));
  else report.unattributed = resolution.unattributed.map(({ certificate: _, ...listed }) => listed);

  const ledger = new FileLedger(ledgerPath, survey.runId, `cleanup${process.pid}`);
  const limit = new InFlightLimit(Math.max(1, options.concurrency ?? 8));
  const grandTotal = total + extra.length;
  let done = 0;
  let extraFailed = false;
  const count = (kind: string, n = 1) => {
    if (n > 0) report.deleted[kind] = (report.deleted[kind] ?? 0) + n;
  };
  // Nobody listening at the control plane: every further call would fail the same way after
  // its retries, so stop and leave the rest to a rerun.
  let unreachable: string | null = null;
  const attempt = async (key: string, kind: string, action: () => Promise<void>) => {
    if (unreachable !== null) {
      report.failed.push({ key, kind, message: unreachable });
    } else {
      try {
        await action();
      } catch (error) {
        const message = describeError(error);
        if (isConnectionRefused(error))
          unreachable = `control plane unreachable (${message}); rerun cleanup when it is up`;
        report.failed.push({ key, kind, message });
      }
    }
    options.onProgress?.(++done, grandTotal);
  };
  const deleteEntry = (kind: ResourceKind, entry: LedgerEntry) =>
    attempt(entry.key, kind, async () => {
      const id = ledgerEntryId(entry);
      if (resolution.unresolved.has(id)) return; // stays open: see report.unattributed
      const arn = resolution.resolved.get(id);
      if (arn && !entry.resource.arn) entry.resource.arn = arn;
      // A certificate still without id or ARN made nothing (the window shows no trace of it),
      // unless a window certificate that could be its failed to delete: then it stays open.
      const madeNothing = kind === 'certificate' && !entry.resource.id && !entry.resource.arn;
      if (madeNothing && extraFailed) return;
      count('certificate', await deleteResource(iot, entry.resource, options));
      ledger.markDeleted(entry.key, entry.runId);
      if (!madeNothing) count(kind);
    });
  try {
    // Thing types must be deprecated some minutes before they can be deleted: start the clock
    // now, while everything else is deleted. A failure here shows again at the deletion.
    if (survey.intents.get('thing-type')) {
      for await (const entry of entriesOfKind(ledgerPath, endByte, 'thing-type', survey.deleted)) {
        if (entry.resource.name) await deprecateThingType(iot, entry.resource.name).catch(() => null);
      }
    }
    for (const kind of CLEANUP_ORDER) {
      if (kind === 'certificate') {
        // Certificates found only in the run's window (attached to no thing), before the
        // ledger's own, whose open intents may be closed only once these are gone.
        for (const certificate of extra) {
          await limit.add(() =>
            attempt(certificate.id, 'certificate', async () => {
              try {
                await deleteCertificate(iot, certificate.id, certificate.arn, false);
              } catch (error) {
                extraFailed = true;
                throw error;
              }
              count('certificate');
            }),
          );
        }
        await limit.drain();
      }
      if (!survey.intents.get(kind)) continue;
      if (kind === 'thing-group') {
        // A group with child groups cannot be deleted: newest first, one at a time.
        const groups: LedgerEntry[] = [];
        for await (const entry of entriesOfKind(ledgerPath, endByte, kind, survey.deleted))
          groups.push(entry);
        for (const entry of groups.reverse()) await deleteEntry(kind, entry);
        continue;
      }
      for await (const entry of entriesOfKind(ledgerPath, endByte, kind, survey.deleted)) {
        await limit.add(() => deleteEntry(kind, entry));
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
