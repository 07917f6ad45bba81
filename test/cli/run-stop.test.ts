import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetPolicyCommand,
  GetTopicRuleCommand,
  IoTClient,
  ListCACertificatesCommand,
  ListCertificatesCommand,
  ListProvisioningTemplatesCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../scenarios/index.js';
import { parseRunResult } from '../../src/metrics/result-schema.js';
import { readLedger } from '../../src/targets/ledger.js';
import { provbench, type RunningCli, startProvbench, waitFor } from '../support/provbench-cli.js';

const DEVICES = 300;

/** Things the run set out to create: devices' work (JITR's is done by its activator in the main thread). */
function thingIntents(ledgerPath: string): number {
  if (!existsSync(ledgerPath)) return 0;
  return readFileSync(ledgerPath, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"op":"intend"') && line.includes('"kind":"thing"')).length;
}

interface Ready {
  controlPlaneUrl: string;
  region: string;
}

/** Resources the account still holds: everything listable, and the named ones the ledger lists. */
async function leftovers(iot: IoTClient, ledgerPath: string): Promise<string[]> {
  const found: string[] = [];
  for (const thing of (await iot.send(new ListThingsCommand({ maxResults: 250 }))).things ?? [])
    found.push(`thing ${thing.thingName}`);
  for (const cert of (await iot.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates ?? [])
    found.push(`certificate ${cert.certificateId} ${cert.status}`);
  for (const ca of (await iot.send(new ListCACertificatesCommand({ pageSize: 250 }))).certificates ?? [])
    found.push(`CA certificate ${ca.certificateId}`);
  for (const template of (await iot.send(new ListProvisioningTemplatesCommand({}))).templates ?? [])
    found.push(`provisioning template ${template.templateName}`);
  // The emulator lists neither policies nor rules: ask for each one the run named.
  for (const entry of readLedger(ledgerPath)) {
    const { kind, name } = entry.resource;
    if (!name || (kind !== 'policy' && kind !== 'topic-rule')) continue;
    const get =
      kind === 'policy'
        ? iot.send(new GetPolicyCommand({ policyName: name }))
        : iot.send(new GetTopicRuleCommand({ ruleName: name }));
    const exists = await get.then(
      () => true,
      (error: { name?: string }) => {
        if (error.name === 'ResourceNotFoundException' || error.name === 'UnauthorizedException')
          return false;
        throw error;
      },
    );
    if (exists) found.push(`${kind} ${name}`);
  }
  return found;
}

describe('provbench run against a standalone emulator (a remote target): --mqtt-endpoint, and Ctrl-C', () => {
  let emulator: RunningCli;
  let iot: IoTClient;
  let dir: string;
  let readyPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pb-stop-'));
    const fleet = join(dir, 'fleet.json');
    const exported = await provbench([
      'fleet',
      'export',
      '--devices',
      String(DEVICES),
      '--seed',
      '1',
      '--out',
      fleet,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    readyPath = join(dir, 'ready.json');
    emulator = startProvbench(
      [
        'emulator',
        '--quotas',
        'none',
        '--device-keys',
        'ec-p256',
        '--fleet',
        fleet,
        '--ready-file',
        readyPath,
      ],
      {},
      600_000,
    );
    await waitFor(() => existsSync(readyPath), 'the emulator ready file');
    const ready = JSON.parse(readFileSync(readyPath, 'utf8')) as Ready;
    iot = new IoTClient({
      endpoint: ready.controlPlaneUrl,
      region: ready.region,
      credentials: { accessKeyId: 'AKIDPROVBENCHTEST', secretAccessKey: 'provbench-test-secret' },
      maxAttempts: 1,
    });
  }, 120_000);

  afterAll(async () => {
    iot?.destroy();
    emulator?.child.kill('SIGTERM');
    await emulator?.finished;
  });

  it('--mqtt-endpoint tells devices where MQTT is; an endpoint nobody answers fails them as network_unreachable', async () => {
    const ready = JSON.parse(readFileSync(readyPath, 'utf8')) as Ready & {
      mqttPort: number;
      rootCaFile: string;
    };
    const common = [
      'run',
      '--target',
      'localstack',
      '--endpoint-url',
      ready.controlPlaneUrl,
      '--root-ca',
      ready.rootCaFile,
      '--scenario',
      'pre-issued',
      '--devices',
      '4',
      '--key-type',
      'ec',
      '--quotas',
      'none',
      '--progress',
      'off',
      '--max-attempts',
      '2',
      '--timeout',
      '20s',
    ];
    const [good, unreachable] = await Promise.all([
      provbench([
        ...common,
        '--mqtt-endpoint',
        `127.0.0.1:${ready.mqttPort}`,
        '--out',
        join(dir, 'mqtt-good'),
      ]),
      provbench([...common, '--mqtt-endpoint', '127.0.0.1:9', '--out', join(dir, 'mqtt-unreachable')]),
    ]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('pre-issued: 4/4 connected');
    expect(unreachable.code, unreachable.stderr).toBe(99);
    const result = parseRunResult(
      JSON.parse(readFileSync(join(dir, 'mqtt-unreachable', 'result.json'), 'utf8')),
    );
    expect(result.scenarios[0]?.summary.errors.network_unreachable).toBe(4);
    expect(result.scenarios[0]?.summary.errors.tls_rejected).toBe(0);
    expect(result.scenarios[0]?.errors.find((e) => e.errorClass === 'network_unreachable')?.sample).toContain(
      '127.0.0.1:9',
    );
  }, 180_000);

  it.each(Object.keys(builtInScenarios))(
    '%s: stops in the device stage, exits 130, and leaves nothing in the account without a cleanup step',
    async (scenario) => {
      const out = join(dir, scenario);
      const ledger = join(out, 'ledger.jsonl');
      const run = startProvbench([
        'run',
        '--ready-file',
        readyPath,
        '--scenario',
        scenario,
        '--devices',
        String(DEVICES),
        '--rate',
        '15',
        '--key-type',
        'ec',
        '--quotas',
        'none',
        '--progress',
        'off',
        '--out',
        out,
      ]);
      await waitFor(
        () => thingIntents(ledger) >= 3 || run.child.exitCode !== null,
        'device work in the ledger',
      );
      run.child.kill('SIGINT');
      const finished = await run.finished;
      expect(finished.code, finished.stderr).toBe(130);
      expect(finished.stderr).toContain('stopping');
      const result = parseRunResult(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
      expect(result.partial).toBe(true);
      expect(result.scenarios[0]?.summary.devices.succeeded ?? 0).toBeLessThan(DEVICES);
      // The run did create device resources before the stop, and then removed them all.
      expect(thingIntents(ledger)).toBeGreaterThanOrEqual(3);
      expect(await leftovers(iot, ledger)).toEqual([]);
    },
    180_000,
  );
});
