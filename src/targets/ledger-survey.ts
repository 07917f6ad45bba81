import type { ResourceKind } from '../contract/ledger.js';
import { intendedResource, type LedgerEntry, ledgerEntryId, ledgerLines } from './ledger.js';

/**
 * Reading a ledger for cleanup: one pass that learns what is left to do, a streamed pass per
 * kind, and (only when a certificate could not be found by id) the names the run claims. Each
 * pass streams the file, so memory does not grow with its length.
 */

/** An entry whose creating call never returned, with the time its intent was written. */
export type PendingEntry = LedgerEntry & { intendedAt: string };

/** What one pass over the ledger learns before anything is deleted. */
export interface LedgerSurvey {
  /** Entries a previous cleanup already deleted. */
  deleted: Set<string>;
  /** Intents per kind (deleted ones included). */
  intents: Map<ResourceKind, number>;
  /** Certificates whose creation was never acknowledged and are not deleted. */
  unacknowledgedCertificates: PendingEntry[];
  runId: string | null;
  /** The run's time window: its first intent and its last intent or acknowledgement. */
  window: { from: Date; to: Date } | null;
}

function pendingEntry(line: { key: string; runId: string; at: string }, resource: LedgerEntry['resource']) {
  return {
    key: line.key,
    runId: line.runId,
    resource,
    acknowledged: false,
    deleted: false,
    intendedAt: line.at,
  };
}

export async function surveyLedger(path: string, endByte: number): Promise<LedgerSurvey> {
  const deleted = new Set<string>();
  const intents = new Map<ResourceKind, number>();
  const pendingCertificates = new Map<string, PendingEntry>();
  let runId: string | null = null;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for await (const line of ledgerLines(path, { endByte })) {
    const id = ledgerEntryId(line);
    if (line.op !== 'deleted') {
      const at = Date.parse(line.at);
      if (Number.isFinite(at)) {
        if (line.op === 'intend') from = Math.min(from, at);
        to = Math.max(to, at);
      }
    }
    if (line.op === 'intend') {
      const resource = intendedResource(line, path);
      runId ??= line.runId;
      intents.set(resource.kind, (intents.get(resource.kind) ?? 0) + 1);
      if (resource.kind === 'certificate') pendingCertificates.set(id, pendingEntry(line, resource));
    } else if (line.op === 'ack') {
      pendingCertificates.delete(id);
    } else {
      deleted.add(id);
    }
  }
  const unacknowledgedCertificates = [...pendingCertificates].flatMap(([id, entry]) =>
    deleted.has(id) ? [] : [entry],
  );
  const window = Number.isFinite(from) ? { from: new Date(from), to: new Date(to) } : null;
  return { deleted, intents, unacknowledgedCertificates, runId, window };
}

/**
 * Streams the entries of one kind that are not deleted yet: acknowledged ones as their
 * acknowledgement is read, the never-acknowledged ones at the end. Only intents still waiting
 * for their acknowledgement are held in memory.
 */
export async function* entriesOfKind(
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
      pending.set(id, pendingEntry(line, intendedResource(line, path)));
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

/** Everything a ledger names, to tell the run's certificates from other runs' in a time window. */
export interface LedgerClaims {
  /** Certificates the ledger knows by id (deleted ones too): cleanup's own stages handle them. */
  certificateIds: Set<string>;
  thingNames: Set<string>;
  policyNames: Set<string>;
  caCertificateIds: Set<string>;
}

function certificateIdOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export async function ledgerClaims(path: string, endByte: number): Promise<LedgerClaims> {
  const claims: LedgerClaims = {
    certificateIds: new Set(),
    thingNames: new Set(),
    policyNames: new Set(),
    caCertificateIds: new Set(),
  };
  const kinds = new Map<string, ResourceKind>();
  for await (const line of ledgerLines(path, { endByte, validate: false })) {
    if (line.op === 'deleted' || !line.resource) continue;
    const id = ledgerEntryId(line);
    const kind = line.op === 'intend' ? line.resource.kind : kinds.get(id);
    // Certificate ids arrive with the acknowledgement when they could not be computed before.
    if (line.op === 'intend' && (kind === 'certificate' || kind === 'ca-certificate')) kinds.set(id, kind);
    if (line.op === 'ack') kinds.delete(id);
    const r = line.resource;
    if (kind === 'certificate') {
      if (r.id) claims.certificateIds.add(r.id);
      if (r.arn) claims.certificateIds.add(certificateIdOfArn(r.arn));
    } else if (kind === 'thing' && r.name) {
      claims.thingNames.add(r.name);
    } else if (kind === 'policy' && r.name) {
      claims.policyNames.add(r.name);
    } else if (kind === 'ca-certificate' && r.id) {
      claims.caCertificateIds.add(r.id);
    }
    if (r.thingName) claims.thingNames.add(r.thingName);
    if (r.principal?.includes(':cert/')) claims.certificateIds.add(certificateIdOfArn(r.principal));
  }
  return claims;
}
