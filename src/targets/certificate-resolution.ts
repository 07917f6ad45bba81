import {
  type CertificateDescription,
  DescribeCertificateCommand,
  type IoTClient,
  ListCertificatesCommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { certificateKeyFingerprint } from '../pki/fingerprint.js';
import { ledgerEntryId } from './ledger.js';
import { entriesOfKind, type LedgerClaims, type LedgerSurvey, ledgerClaims } from './ledger-survey.js';
import { isNotFound, policiesOf, thingsOf } from './resource-deletion.js';

/**
 * Finding the certificates whose creating call never returned (a crash, a timeout): the
 * ledger has their intent but no id. In order: an attachment the ledger recorded for the same
 * thing; the thing's principals; then the certificates created in the run's time window,
 * matched by the device's public key, or claimed by the run's things, policies or CA. A
 * window certificate nothing claims may be the run's or another's: it is listed, and deleted
 * only when asked (`includeUnattributed`, for a dedicated account).
 */

/** Window margins: clocks differ; a call in flight at a crash may complete a while later. */
export const WINDOW_BEFORE_MS = 5_000;
export const WINDOW_AFTER_MS = 5 * 60_000;

export interface WindowCertificate {
  id: string;
  arn?: string;
  createdAt: string;
  status?: string;
}

/** A resource cleanup could not attribute to the run for certain. */
export interface UnattributedResource {
  kind: 'certificate';
  id: string;
  arn?: string;
  why: string;
}

export interface CertificateResolution {
  /** Certificate ARNs by ledger entry id, for entries that had none. */
  resolved: Map<string, string>;
  /** Entries neither resolved nor shown to have made nothing: not to be marked deleted. */
  unresolved: Set<string>;
  /** Window certificates the run owns for certain, found without a ledger entry of their own. */
  owned: WindowCertificate[];
  unattributed: Array<UnattributedResource & { certificate: WindowCertificate }>;
}

function isCertificateArn(principal: string | undefined): principal is string {
  return principal?.includes(':cert/') ?? false;
}

async function resolveThroughThings(
  iot: IoTClient,
  path: string,
  endByte: number,
  survey: LedgerSurvey,
  resolved: Map<string, string>,
): Promise<void> {
  const byThing = new Map<string, string[]>();
  for (const entry of survey.unacknowledgedCertificates) {
    const r = entry.resource;
    if (r.id || r.arn || !r.thingName) continue;
    byThing.set(r.thingName, [...(byThing.get(r.thingName) ?? []), ledgerEntryId(entry)]);
  }
  if (byThing.size === 0) return;
  for await (const attachment of entriesOfKind(path, endByte, 'thing-principal', survey.deleted)) {
    const { thingName, principal } = attachment.resource;
    if (!thingName || !isCertificateArn(principal)) continue;
    for (const id of byThing.get(thingName) ?? []) if (!resolved.has(id)) resolved.set(id, principal);
  }
  for (const [thingName, ids] of byThing) {
    const unresolved = ids.filter((id) => !resolved.has(id));
    if (unresolved.length === 0) continue;
    let principals: string[] = [];
    try {
      principals = (await iot.send(new ListThingPrincipalsCommand({ thingName }))).principals ?? [];
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const certificateArn = principals.find(isCertificateArn);
    if (certificateArn) for (const id of unresolved) resolved.set(id, certificateArn);
  }
}

/** The account's certificates created in [from, to], newest first (ListCertificates' default). */
export async function certificatesCreatedIn(
  iot: IoTClient,
  window: { from: Date; to: Date },
): Promise<WindowCertificate[]> {
  const found: WindowCertificate[] = [];
  let marker: string | undefined;
  do {
    const page = await iot.send(
      new ListCertificatesCommand({ pageSize: 250, marker, ascendingOrder: false }),
    );
    const certificates = page.certificates ?? [];
    for (const certificate of certificates) {
      const created = certificate.creationDate;
      if (!certificate.certificateId || !created || created < window.from || created > window.to) continue;
      found.push({
        id: certificate.certificateId,
        arn: certificate.certificateArn,
        createdAt: created.toISOString(),
        status: certificate.status,
      });
    }
    // Newest first, so a page ending before the window ends the search; a service that
    // ignores the order (pages oldest first) is read to the end.
    const first = certificates[0]?.creationDate;
    const last = certificates.at(-1)?.creationDate;
    const pastWindow = first !== undefined && last !== undefined && first >= last && last < window.from;
    marker = pastWindow ? undefined : page.nextMarker;
  } while (marker);
  return found;
}

async function describe(iot: IoTClient, certificateId: string): Promise<CertificateDescription | null> {
  try {
    return (await iot.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription ?? null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

type Verdict =
  | { owner: 'intent'; entryId: string }
  | { owner: 'run' | 'run-attachment' | 'other' | 'gone' }
  | { owner: 'nobody'; why: string };

/** Whose a window certificate the ledger does not name is. */
async function attribute(
  iot: IoTClient,
  certificate: WindowCertificate,
  claims: LedgerClaims,
  byPublicKey: Map<string, string>,
): Promise<Verdict> {
  const description = await describe(iot, certificate.id);
  if (!description) return { owner: 'gone' };
  if (description.certificatePem) {
    const entryId = byPublicKey.get(certificateKeyFingerprint(description.certificatePem));
    if (entryId) return { owner: 'intent', entryId };
  }
  if (description.caCertificateId && claims.caCertificateIds.has(description.caCertificateId))
    return { owner: 'run' };
  const arn = description.certificateArn ?? certificate.arn;
  if (!arn) return { owner: 'nobody', why: 'has no ARN to look its attachments up by' };
  const things = await thingsOf(iot, arn);
  if (things.length > 0)
    return things.every((name) => claims.thingNames.has(name)) ? { owner: 'run' } : { owner: 'other' };
  const policies = await policiesOf(iot, arn);
  if (policies.length > 0)
    return policies.every((name) => claims.policyNames.has(name))
      ? { owner: 'run-attachment' }
      : { owner: 'other' };
  return {
    owner: 'nobody',
    why: `created ${certificate.createdAt} in the run's window, status ${description.status ?? certificate.status ?? 'unknown'}, attached to no thing or policy and not in the ledger: another run's or this run's in-flight creation`,
  };
}

/**
 * Resolves the ledger's unacknowledged certificates before anything is detached (a detach
 * would hide the link through the thing).
 */
export async function resolveCertificates(
  iot: IoTClient,
  path: string,
  endByte: number,
  survey: LedgerSurvey,
  options: { includeUnattributed: boolean },
): Promise<CertificateResolution> {
  const resolution: CertificateResolution = {
    resolved: new Map(),
    unresolved: new Set(),
    owned: [],
    unattributed: [],
  };
  await resolveThroughThings(iot, path, endByte, survey, resolution.resolved);
  const open = survey.unacknowledgedCertificates.filter(
    (entry) => !entry.resource.id && !entry.resource.arn && !resolution.resolved.has(ledgerEntryId(entry)),
  );
  if ((open.length === 0 && !options.includeUnattributed) || survey.window === null) return resolution;
  const window = {
    from: new Date(survey.window.from.getTime() - WINDOW_BEFORE_MS),
    to: new Date(survey.window.to.getTime() + WINDOW_AFTER_MS),
  };
  const claims = await ledgerClaims(path, endByte);
  const byPublicKey = new Map<string, string>();
  for (const entry of open)
    if (entry.resource.publicKey) byPublicKey.set(entry.resource.publicKey, ledgerEntryId(entry));
  for (const certificate of await certificatesCreatedIn(iot, window)) {
    if (claims.certificateIds.has(certificate.id)) continue;
    const verdict = await attribute(iot, certificate, claims, byPublicKey);
    if (verdict.owner === 'intent') {
      if (certificate.arn) resolution.resolved.set(verdict.entryId, certificate.arn);
      for (const [key, entryId] of byPublicKey) if (entryId === verdict.entryId) byPublicKey.delete(key);
    } else if (verdict.owner === 'run-attachment') {
      resolution.owned.push(certificate);
    } else if (verdict.owner === 'nobody') {
      resolution.unattributed.push({
        kind: 'certificate',
        id: certificate.id,
        arn: certificate.arn,
        why: verdict.why,
        certificate,
      });
    }
    // 'run': a stage of its own deletes it (the thing's or the CA's); 'other': not ours.
  }
  if (resolution.unattributed.length > 0 && !options.includeUnattributed) {
    // One of them may be what an open intent made: keep the intents for the next cleanup.
    for (const entry of open) {
      const id = ledgerEntryId(entry);
      if (!resolution.resolved.has(id)) resolution.unresolved.add(id);
    }
  }
  return resolution;
}
