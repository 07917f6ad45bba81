import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateTopicRuleCommand,
  IoTClient,
  ListCACertificatesCommand,
  ListCertificatesCommand,
  ListPoliciesCommand,
  ListProvisioningTemplatesCommand,
  ListThingsCommand,
  ListTopicRulesCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../scenarios/index.js';
import { ReadyFile } from '../../src/contract/ready-file.js';

/**
 * Crash safety, end to end: the emulator stands alone (as an account would), `provbench run`
 * points at it as a remote target and is SIGKILLed at a seeded-random point of its device
 * stage, `provbench cleanup --ledger` runs, and the whole account is listed: nothing of the
 * run may remain, and what another run made beforehand must be untouched.
 * PROVBENCH_CRASH_SEED picks other kill points (the seed and the points are printed).
 */

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/provbench.js');
const DEVICES = 24;
const SEED = Number(process.env.PROVBENCH_CRASH_SEED ?? 15);

/** mulberry32: a small seeded generator, so a failing kill point can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function provbench(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const done = new Promise<Finished>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** Ledger lines written since the first device's first intent: the device stage's progress. */
function deviceStageLines(path: string): number {
  if (!existsSync(path)) return 0;
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const first = lines.findIndex((line) => line.includes('"deviceIndex"'));
  return first < 0 ? 0 : lines.length - first;
}

async function pages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    all.push(...page.items);
    token = page.next;
  } while (token);
  return all;
}

/** Every resource in the account, as `kind:name-or-id`. */
async function listAccount(iot: IoTClient): Promise<Set<string>> {
  const names = await Promise.all([
    pages(async (nextToken) => {
      const out = await iot.send(new ListThingsCommand({ nextToken, maxResults: 250 }));
      return { items: (out.things ?? []).map((t) => `thing:${t.thingName}`), next: out.nextToken };
    }),
    pages(async (marker) => {
      const out = await iot.send(new ListCertificatesCommand({ marker, pageSize: 250 }));
      return {
        items: (out.certificates ?? []).map((c) => `certificate:${c.certificateId}`),
        next: out.nextMarker,
      };
    }),
    pages(async (marker) => {
      const out = await iot.send(new ListPoliciesCommand({ marker, pageSize: 250 }));
      return { items: (out.policies ?? []).map((p) => `policy:${p.policyName}`), next: out.nextMarker };
    }),
    pages(async (marker) => {
      const out = await iot.send(new ListCACertificatesCommand({ marker, pageSize: 250 }));
      return {
        items: (out.certificates ?? []).map((c) => `ca-certificate:${c.certificateId}`),
        next: out.nextMarker,
      };
    }),
    pages(async (nextToken) => {
      const out = await iot.send(new ListProvisioningTemplatesCommand({ nextToken, maxResults: 250 }));
      return {
        items: (out.templates ?? []).map((t) => `provisioning-template:${t.templateName}`),
        next: out.nextToken,
      };
    }),
    pages(async (nextToken) => {
      const out = await iot.send(new ListTopicRulesCommand({ nextToken }));
      return { items: (out.rules ?? []).map((r) => `topic-rule:${r.ruleName}`), next: out.nextToken };
    }),
  ]);
  return new Set(names.flat());
}

/** What another run left in the account before ours starts: a device, its policy, a rule. */
async function anotherRunsResources(iot: IoTClient): Promise<void> {
  const thingName = 'other-run-device-000001';
  await iot.send(new CreateThingCommand({ thingName }));
  const policyName = 'other-run-device-policy';
  await iot.send(
    new CreatePolicyCommand({
      policyName,
      policyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
      }),
    }),
  );
  const certificate = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  await iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificate.certificateArn }));
  await iot.send(new AttachPolicyCommand({ policyName, target: certificate.certificateArn }));
  await iot.send(
    new CreateTopicRuleCommand({
      ruleName: 'other_run_rule',
      topicRulePayload: { sql: "SELECT * FROM 'other/+/boot'", actions: [] },
    }),
  );
}

let emulator: ChildProcess;
let ready: ReadyFile;
let readyPath: string;
let iot: IoTClient;
let work: string;
const random = seededRandom(SEED);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pb-crash-cleanup-'));
  readyPath = join(work, 'ready.json');
  emulator = spawn(
    process.execPath,
    [
      CLI,
      'emulator',
      '--state-dir',
      join(work, 'state'),
      '--ready-file',
      readyPath,
      '--quotas',
      'none',
      '--device-keys',
      'ec-p256',
      '--key-pool',
      '8',
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
  const started = Date.now();
  for (;;) {
    if (emulator.exitCode !== null) throw new Error(`the emulator exited with ${emulator.exitCode}`);
    if (Date.now() - started > 60_000) throw new Error('the emulator was not ready within 60 s');
    const parsed = existsSync(readyPath)
      ? ReadyFile.safeParse(JSON.parse(readFileSync(readyPath, 'utf8') || 'null'))
      : null;
    if (parsed?.success) {
      ready = parsed.data;
      break;
    }
    await sleep(50);
  }
  iot = new IoTClient({
    endpoint: ready.controlPlaneUrl,
    region: ready.region,
    credentials: { accessKeyId: 'AKIDPROVBENCHTEST', secretAccessKey: 'provbench-test-secret' },
    maxAttempts: 3,
  });
  await anotherRunsResources(iot);
}, 90_000);

afterAll(async () => {
  iot?.destroy();
  if (emulator && emulator.exitCode === null) {
    const exited = new Promise((resolvePromise) => emulator.once('exit', resolvePromise));
    emulator.kill('SIGTERM');
    await exited;
  }
});

describe('a run SIGKILLed in its device stage leaves nothing once cleanup ran', () => {
  for (const scenario of Object.keys(builtInScenarios)) {
    it(`${scenario} (seed ${SEED})`, async () => {
      const before = await listAccount(iot);
      const out = join(work, scenario);
      const ledger = join(out, 'ledger.jsonl');
      const killAfter = 1 + Math.floor(random() * 3 * DEVICES);
      const run = provbench([
        'run',
        '--scenario',
        scenario,
        '--devices',
        String(DEVICES),
        '--concurrency',
        '8',
        '--workers',
        '1',
        '--quotas',
        'none',
        '--key-type',
        'ec',
        '--timeout',
        '30s',
        '--progress',
        'off',
        '--run-id',
        `crash-${scenario}-${SEED}`,
        '--out',
        out,
        '--ready-file',
        readyPath,
      ]);
      let exited = false;
      void run.done.then(() => {
        exited = true;
      });
      while (!exited && deviceStageLines(ledger) < killAfter) await sleep(5);
      run.child.kill('SIGKILL');
      const killed = await run.done;
      const linesAtKill = deviceStageLines(ledger);
      console.log(
        `${scenario}: SIGKILL after ${linesAtKill} device-stage ledger lines (target ${killAfter})`,
      );
      expect(killed.signal, `the run ended before the kill point: ${killed.stderr}`).toBe('SIGKILL');
      expect(linesAtKill).toBeGreaterThanOrEqual(killAfter);
      expect(await listAccount(iot)).not.toEqual(before);

      const cleanupArgs = ['cleanup', '--ledger', ledger, '--endpoint-url', ready.controlPlaneUrl];
      let cleanup = await provbench(cleanupArgs).done;
      expect(cleanup.stderr).not.toContain('failed:');
      if (cleanup.code === 1) {
        // Only certificates it could not attribute for certain may be left, and they are listed.
        expect(cleanup.stdout).toMatch(/^unattributed: certificate [0-9a-f]{64}: /m);
        console.log(`${scenario}: ${cleanup.stdout.trim()}`);
        cleanup = await provbench([...cleanupArgs, '--include-unattributed']).done;
      }
      expect(cleanup.code, cleanup.stderr).toBe(0);
      expect(await listAccount(iot)).toEqual(before);
    }, 120_000);
  }
});

describe('provbench cleanup exit codes', () => {
  it('exits 1 and lists what it cannot attribute, 0 once --include-unattributed deleted it, 2 for a missing or corrupt ledger', async () => {
    const before = await listAccount(iot);
    const ledger = join(work, 'exit-codes-ledger.jsonl');
    // A run killed while CreateKeysAndCertificate was in flight for its first device.
    const intent = {
      op: 'intend',
      key: 'w0-0',
      runId: 'exit-codes',
      at: new Date().toISOString(),
      resource: { kind: 'certificate', thingName: 'exit-codes-device-000000', deviceIndex: 0 },
    };
    writeFileSync(ledger, `${JSON.stringify(intent)}\n`, { mode: 0o600 });
    const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const args = ['cleanup', '--ledger', ledger, '--endpoint-url', ready.controlPlaneUrl];

    const listed = await provbench(args).done;
    expect(listed.code).toBe(1);
    expect(listed.stdout).toContain(`unattributed: certificate ${created.certificateId}: `);
    expect(listed.stderr).toContain('--include-unattributed');
    expect(await listAccount(iot)).toContain(`certificate:${created.certificateId}`);

    const included = await provbench([...args, '--include-unattributed']).done;
    expect(included.code, included.stderr).toBe(0);
    expect(await listAccount(iot)).toEqual(before);

    const missing = await provbench(['cleanup', '--ledger', join(work, 'no-such-ledger.jsonl')]).done;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    const corrupt = join(work, 'corrupt-ledger.jsonl');
    writeFileSync(corrupt, `not a ledger line\n${JSON.stringify(intent)}\n`, { mode: 0o600 });
    const bad = await provbench(['cleanup', '--ledger', corrupt, '--endpoint-url', ready.controlPlaneUrl])
      .done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('line 1 is not a ledger record');
    const badQuotas = join(work, 'bad-quotas.json');
    writeFileSync(badQuotas, 'not json\n');
    const quotaFile = await provbench([...args, '--quota-file', badQuotas]).done;
    expect(quotaFile.code).toBe(2);
    expect(quotaFile.stderr).toContain('is not JSON');
  }, 60_000);
});
