import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DescribeThingCommand,
  type IoTClient,
  ListCertificatesCommand,
  ListPoliciesCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr, generateDeviceKey } from '../../scenarios/lib/device-keys.js';
import { publicKeyFingerprint } from '../../src/pki/fingerprint.js';
import { certificatesCreatedIn } from '../../src/targets/certificate-resolution.js';
import { cleanupFromLedger, resourcesMayRemain } from '../../src/targets/cleanup.js';
import { FileLedger, readLedger } from '../../src/targets/ledger.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
});

let test: TestEmulator;
let iot: IoTClient;
let sequence = 0;

beforeAll(async () => {
  test = await startTestEmulator({ deviceKeyAlgorithm: 'ec-p256' });
  iot = test.iot;
});
afterAll(async () => {
  await test.close();
});

function freshLedger(): string {
  return join(mkdtempSync(join(tmpdir(), 'pb-resolution-')), 'ledger.jsonl');
}

function unique(prefix: string): string {
  return `${prefix}-${++sequence}`;
}

async function certificateIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await iot.send(new ListCertificatesCommand({ pageSize: 250, marker }));
    for (const c of page.certificates ?? []) if (c.certificateId) ids.add(c.certificateId);
    marker = page.nextMarker;
  } while (marker);
  return ids;
}

async function thingExists(thingName: string): Promise<boolean> {
  return iot.send(new DescribeThingCommand({ thingName })).then(
    () => true,
    () => false,
  );
}

async function keysAndCertificate(): Promise<{ id: string; arn: string }> {
  const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  return { id: created.certificateId as string, arn: created.certificateArn as string };
}

/** Resources another run made (claimed by its thing or its policy), created before the ledger. */
async function foreignResources(): Promise<{ thing: string; policy: string; certificates: string[] }> {
  const thing = unique('other-run-thing');
  const policy = unique('other-run-policy');
  await iot.send(new CreateThingCommand({ thingName: thing }));
  await iot.send(new CreatePolicyCommand({ policyName: policy, policyDocument: POLICY }));
  const onThing = await keysAndCertificate();
  await iot.send(new AttachThingPrincipalCommand({ thingName: thing, principal: onThing.arn }));
  const onPolicy = await keysAndCertificate();
  await iot.send(new AttachPolicyCommand({ policyName: policy, target: onPolicy.arn }));
  return { thing, policy, certificates: [onThing.id, onPolicy.id] };
}

describe('cleanup resolves certificates whose creation was never acknowledged', () => {
  it("finds a certificate made from the device's CSR by the public key the intent recorded", async () => {
    const path = freshLedger();
    const ledger = new FileLedger(path, 'run-csr', 'w0');
    const thingName = unique('run-csr-thing');
    const key = await generateDeviceKey('ec');
    // The run is killed while CreateCertificateFromCsr is in flight: intent, no acknowledgement.
    ledger.intend({ kind: 'certificate', thingName, publicKey: publicKeyFingerprint(key.spkiDer) });
    ledger.close();
    const created = await iot.send(
      new CreateCertificateFromCsrCommand({ certificateSigningRequest: createCsr(key, `CN=${thingName}`) }),
    );
    const foreign = await foreignResources();

    const report = await cleanupFromLedger(iot, path);

    expect(report).toEqual({ deleted: { certificate: 1 }, failed: [], unattributed: [] });
    const remaining = await certificateIds();
    expect(remaining.has(created.certificateId as string)).toBe(false);
    for (const id of foreign.certificates) expect(remaining.has(id)).toBe(true);
    expect(readLedger(path).every((entry) => entry.deleted)).toBe(true);
  });

  it('finds a certificate through the thing it was attached to after the ledger lost track', async () => {
    const path = freshLedger();
    const ledger = new FileLedger(path, 'run-thing', 'w0');
    const thingName = unique('run-thing-thing');
    ledger.intend({ kind: 'certificate', thingName });
    ledger.acknowledge(ledger.intend({ kind: 'thing', name: thingName }));
    ledger.close();
    await iot.send(new CreateThingCommand({ thingName }));
    const certificate = await keysAndCertificate();
    await iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificate.arn }));

    const report = await cleanupFromLedger(iot, path);

    expect(report).toEqual({ deleted: { certificate: 1, thing: 1 }, failed: [], unattributed: [] });
    expect((await certificateIds()).has(certificate.id)).toBe(false);
    expect(await thingExists(thingName)).toBe(false);
  });

  it("deletes the certificate a bootstrap service attached to the run's thing when the ledger holds only the thing", async () => {
    const path = freshLedger();
    const ledger = new FileLedger(path, 'run-krypton', 'w0');
    const thingName = unique('run-krypton-thing');
    ledger.acknowledge(ledger.intend({ kind: 'thing', name: thingName }));
    ledger.close();
    await iot.send(new CreateThingCommand({ thingName }));
    const certificate = await keysAndCertificate();
    await iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificate.arn }));
    // Also on another run's thing: detached from ours, but not deleted.
    const shared = await keysAndCertificate();
    const otherThing = unique('other-run-thing');
    await iot.send(new CreateThingCommand({ thingName: otherThing }));
    await iot.send(new AttachThingPrincipalCommand({ thingName, principal: shared.arn }));
    await iot.send(new AttachThingPrincipalCommand({ thingName: otherThing, principal: shared.arn }));

    const report = await cleanupFromLedger(iot, path);

    expect(report).toEqual({ deleted: { certificate: 1, thing: 1 }, failed: [], unattributed: [] });
    const remaining = await certificateIds();
    expect(remaining.has(certificate.id)).toBe(false);
    expect(remaining.has(shared.id)).toBe(true);
    expect(await thingExists(otherThing)).toBe(true);
  });

  it('lists an unclaimed certificate of the run window without deleting it, until asked to', async () => {
    const foreign = await foreignResources();
    const path = freshLedger();
    const ledger = new FileLedger(path, 'run-window', 'w0');
    const thingName = unique('run-window-thing');
    // Pre-issued, killed during CreateKeysAndCertificate: the thing exists, the certificate
    // exists but was never attached to it.
    ledger.intend({ kind: 'certificate', thingName });
    ledger.acknowledge(ledger.intend({ kind: 'thing', name: thingName }));
    ledger.close();
    await iot.send(new CreateThingCommand({ thingName }));
    const inFlight = await keysAndCertificate();

    const first = await cleanupFromLedger(iot, path);
    expect(first.failed).toEqual([]);
    expect(first.unattributed).toEqual([
      expect.objectContaining({ kind: 'certificate', id: inFlight.id, why: expect.stringMatching(/window/) }),
    ]);
    expect(resourcesMayRemain(first)).toBe(true);
    expect((await certificateIds()).has(inFlight.id)).toBe(true);
    // The intent stays open, so the next cleanup looks again rather than forgetting it.
    const certificateEntry = readLedger(path).find((entry) => entry.resource.kind === 'certificate');
    expect(certificateEntry?.deleted).toBe(false);
    const again = await cleanupFromLedger(iot, path);
    expect(again.unattributed.map((u) => u.id)).toEqual([inFlight.id]);

    const included = await cleanupFromLedger(iot, path, { includeUnattributed: true });
    expect(included).toEqual({ deleted: { certificate: 1 }, failed: [], unattributed: [] });
    const remaining = await certificateIds();
    expect(remaining.has(inFlight.id)).toBe(false);
    for (const id of foreign.certificates) expect(remaining.has(id)).toBe(true);
    expect(await thingExists(foreign.thing)).toBe(true);
    const policies = await iot.send(new ListPoliciesCommand({}));
    expect(policies.policies?.map((p) => p.policyName)).toContain(foreign.policy);
    expect(readLedger(path).every((entry) => entry.deleted)).toBe(true);
  });

  it('keeps the intent open when deleting an unattributed certificate fails, so a rerun finds it again', async () => {
    const path = freshLedger();
    const ledger = new FileLedger(path, 'run-retry', 'w0');
    ledger.intend({ kind: 'certificate', thingName: unique('run-retry-thing') });
    ledger.close();
    const inFlight = await keysAndCertificate();
    const failingDelete = {
      send: (command: { input: { certificateId?: string } }) =>
        command instanceof DeleteCertificateCommand && command.input.certificateId === inFlight.id
          ? Promise.reject(
              Object.assign(new Error('We encountered an internal error'), {
                name: 'InternalFailureException',
              }),
            )
          : iot.send(command as never),
    } as unknown as IoTClient;

    const failed = await cleanupFromLedger(failingDelete, path, { includeUnattributed: true });
    expect(failed.failed.map((f) => f.key)).toEqual([inFlight.id]);
    expect(readLedger(path).every((entry) => !entry.deleted)).toBe(true);

    const retried = await cleanupFromLedger(iot, path, { includeUnattributed: true });
    expect(retried).toEqual({ deleted: { certificate: 1 }, failed: [], unattributed: [] });
    expect((await certificateIds()).has(inFlight.id)).toBe(false);
    expect(readLedger(path).every((entry) => entry.deleted)).toBe(true);
  });

  it("does not look at certificates created outside the run's window", async () => {
    const path = freshLedger();
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const thingName = unique('old-run-thing');
    // An old run's ledger, killed during CreateKeysAndCertificate an hour ago.
    appendFileSync(
      path,
      `${JSON.stringify({ op: 'intend', key: 'w0-0', runId: 'old-run', at: hourAgo, resource: { kind: 'certificate', thingName } })}\n`,
    );
    const recent = await keysAndCertificate();

    const report = await cleanupFromLedger(iot, path, { includeUnattributed: true });

    expect(report).toEqual({ deleted: {}, failed: [], unattributed: [] });
    expect(readLedger(path).every((entry) => entry.deleted)).toBe(true);
    expect((await certificateIds()).has(recent.id)).toBe(true);
    const things = await iot.send(new ListThingsCommand({}));
    expect(things.things?.map((t) => t.thingName)).not.toContain(thingName);
  });
});

describe("the run window's certificates", () => {
  /** A ListCertificates that serves `dates` (seconds) in pages of two, in the order given. */
  function listing(dates: number[]): { iot: IoTClient; pagesRead: () => number } {
    let pagesRead = 0;
    const send = async (command: { input: { marker?: string } }) => {
      pagesRead++;
      const start = Number(command.input.marker ?? 0);
      const certificates = dates.slice(start, start + 2).map((seconds) => ({
        certificateId: `c${seconds}`,
        certificateArn: `arn:aws:iot:us-east-1:123456789012:cert/c${seconds}`,
        creationDate: new Date(seconds * 1000),
      }));
      return { certificates, nextMarker: start + 2 < dates.length ? String(start + 2) : undefined };
    };
    return { iot: { send } as unknown as IoTClient, pagesRead: () => pagesRead };
  }
  const window = { from: new Date(100_000), to: new Date(200_000) };

  it('stops at the first page that ends before the window when the newest come first', async () => {
    const newestFirst = listing([300, 200, 150, 120, 90, 80, 70, 60]);
    const found = await certificatesCreatedIn(newestFirst.iot, window);
    expect(found.map((c) => c.id)).toEqual(['c200', 'c150', 'c120']);
    expect(newestFirst.pagesRead()).toBe(3);
  });

  it('reads every page of a service that ignores the order and lists the oldest first', async () => {
    const oldestFirst = listing([60, 70, 80, 90, 120, 150, 200, 300]);
    const found = await certificatesCreatedIn(oldestFirst.iot, window);
    expect(found.map((c) => c.id)).toEqual(['c120', 'c150', 'c200']);
    expect(oldestFirst.pagesRead()).toBe(4);
  });
});
