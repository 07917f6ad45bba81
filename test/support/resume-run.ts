import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IoTClient,
  ListCACertificatesCommand,
  ListCertificatesCommand,
  ListPoliciesCommand,
  ListProvisioningTemplatesCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { parseRunResult, type RunResult } from '../../src/metrics/result-schema.js';
import { readLedger } from '../../src/targets/ledger.js';
import { startProvbench, waitFor } from './provbench-cli.js';

/**
 * What the end-to-end tests of `provbench run --resume` share: a small, fast run on the
 * embedded emulator, reading its run dir (journal, ledger, result), and an emulator started
 * on a run's saved state to see what it kept.
 */

/** `provbench run` of `devices` devices (EC keys, no quotas, no field link) into `out`. */
export function resumableRunArgs(
  out: string,
  scenario: string,
  devices: number,
  extra: string[] = [],
): string[] {
  return [
    'run',
    '--scenario',
    scenario,
    '--devices',
    String(devices),
    '--quotas',
    'none',
    '--key-type',
    'ec',
    '--network',
    'none',
    '--concurrency',
    '4',
    '--workers',
    '2',
    '--progress',
    'off',
    '--out',
    out,
    ...extra,
  ];
}

export function journalLines(out: string): number {
  const path = join(out, 'devices.jsonl');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** Device indices the journal lists as finished. */
export function journaled(out: string): Set<number> {
  return new Set(
    readFileSync(join(out, 'devices.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { index: number }).index),
  );
}

/** Devices the ledger shows work of (something intended for them). */
export function startedInLedger(out: string): Set<number> {
  if (!existsSync(join(out, 'ledger.jsonl'))) return new Set();
  return new Set(
    readLedger(join(out, 'ledger.jsonl')).flatMap((entry) =>
      entry.resource.deviceIndex === undefined ? [] : [entry.resource.deviceIndex],
    ),
  );
}

/** Devices with ledger entries and no journal line: started, not finished. */
export function cutOffDevices(out: string): number[] {
  const finished = existsSync(join(out, 'devices.jsonl')) ? journaled(out) : new Set<number>();
  return [...startedInLedger(out)].filter((index) => !finished.has(index));
}

export function resultOf(out: string): RunResult {
  return parseRunResult(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
}

/** The test credentials the emulator accepts. */
export function emulatorClient(ready: { controlPlaneUrl: string; region: string }): IoTClient {
  return new IoTClient({
    endpoint: ready.controlPlaneUrl,
    region: ready.region,
    credentials: { accessKeyId: 'AKIDPROVBENCHTEST', secretAccessKey: 'provbench-test-secret' },
    maxAttempts: 1,
  });
}

export interface SavedStateEmulator {
  iot: IoTClient;
  controlPlaneUrl: string;
  region: string;
}

/**
 * Serves a run dir's saved emulator state (`<out>/emulator-state`) with `provbench emulator`
 * while `inspect` runs, then stops it.
 */
export async function withSavedState(
  out: string,
  inspect: (emulator: SavedStateEmulator) => Promise<void>,
): Promise<void> {
  const readyPath = join(out, 'inspect-ready.json');
  const emulator = startProvbench(
    ['emulator', '--state-dir', join(out, 'emulator-state'), '--quotas', 'none', '--ready-file', readyPath],
    {},
    90_000,
  );
  try {
    await waitFor(() => existsSync(readyPath), 'the emulator on the saved state', 30_000);
    const ready = JSON.parse(readFileSync(readyPath, 'utf8')) as { controlPlaneUrl: string; region: string };
    const iot = emulatorClient(ready);
    try {
      await inspect({ iot, ...ready });
    } finally {
      iot.destroy();
    }
  } finally {
    emulator.child.kill('SIGTERM');
    await emulator.finished;
  }
}

/** A registry's resources (or a ledger's live ones) by kind, each list sorted. */
export interface ResourceSets {
  things: string[];
  certificates: string[];
  caCertificates: string[];
  templates: string[];
  policies: string[];
}

/** What the emulator's registry holds, listed over the control plane as a user would. */
export async function registryResources(iot: IoTClient): Promise<ResourceSets> {
  const things = (await iot.send(new ListThingsCommand({ maxResults: 250 }))).things ?? [];
  const certificates = (await iot.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates ?? [];
  const cas = (await iot.send(new ListCACertificatesCommand({ pageSize: 250 }))).certificates ?? [];
  const templates =
    (await iot.send(new ListProvisioningTemplatesCommand({ maxResults: 250 }))).templates ?? [];
  const policies = (await iot.send(new ListPoliciesCommand({ pageSize: 250 }))).policies ?? [];
  return {
    things: things.map((thing) => thing.thingName ?? '?').sort(),
    certificates: certificates.map((certificate) => certificate.certificateId ?? '?').sort(),
    caCertificates: cas.map((ca) => ca.certificateId ?? '?').sort(),
    templates: templates.map((template) => template.templateName ?? '?').sort(),
    policies: policies.map((policy) => policy.policyName ?? '?').sort(),
  };
}

/**
 * The resources a run's ledger lists as existing (created, not deleted). A certificate whose
 * creation never returned has no id to list it by: it shows as `unacknowledged <key>`, which
 * no registry id equals.
 */
export function ledgerResources(ledgerPath: string): ResourceSets {
  const live = readLedger(ledgerPath).filter((entry) => !entry.deleted);
  const names = (kind: string) =>
    live
      .filter((entry) => entry.resource.kind === kind)
      .map((entry) => entry.resource.name ?? `unnamed ${entry.key}`)
      .sort();
  const ids = (kind: string) =>
    live
      .filter((entry) => entry.resource.kind === kind)
      .map((entry) => entry.resource.id ?? `unacknowledged ${entry.key}`)
      .sort();
  return {
    things: names('thing'),
    certificates: ids('certificate'),
    caCertificates: ids('ca-certificate'),
    templates: names('provisioning-template'),
    policies: names('policy'),
  };
}
