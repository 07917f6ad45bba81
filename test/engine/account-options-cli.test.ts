import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAccountOptions } from '../../src/cli/account-options.js';
import { UsageError } from '../../src/cli/options.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { parseRunResult } from '../../src/metrics/result-schema.js';
import { provbench } from '../support/cli.js';

/** A closed loopback port: dry runs and rejected input never reach it. */
const OFFLINE = ['--target', 'localstack', '--endpoint-url', 'http://127.0.0.1:9'];

function jsonFile(dir: string, name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('provbench run: the account’s quotas, latencies, faults and prices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-account-'));

  it('--dry-run projects under the quota file, names the quotas that differ, and prices the plan', async () => {
    const quotas = jsonFile(dir, 'quotas.json', { controlPlaneTps: { CreateKeysAndCertificate: 50 } });
    const own = await provbench([
      'run',
      '--scenario',
      'pre-issued',
      '--devices',
      '1000',
      '--dry-run',
      ...OFFLINE,
      '--quota-file',
      quotas,
    ]);
    expect(own.code).toBe(0);
    expect(own.stdout).toContain("differ from AWS's defaults: CreateKeysAndCertificate 50 (AWS default 10)");
    expect(own.stdout).toMatch(
      /your account’s quotas: >= 66\.7 s \(bottleneck AttachPolicy, 15\.0 devices\/s\)/,
    );
    // 2 registry operations, 1 connection-minute, 1 message (CONNECT) at the default prices.
    expect(own.stdout).toContain('planned cost: $0.00000358 per device, $3.58 per million devices');
  }, 60_000);

  it('exits 2 on input it cannot use, saying what is wrong', async () => {
    const faults = jsonFile(dir, 'faults.json', { CreateThing: { rate: 0.5 } });
    const finished = await provbench([
      'run',
      '--scenario',
      'pre-issued',
      '--devices',
      '10',
      '--dry-run',
      ...OFFLINE,
      '--faults',
      faults,
    ]);
    expect(finished.code).toBe(2);
    expect(finished.stderr).toMatch(/--faults configure the embedded emulator; --target localstack/);
  }, 60_000);

  it.each([
    [
      'an unknown price entry',
      { pricing: { cellularDataPerMb: 0.1 } },
      /unknown price entry "cellularDataPerMb"/,
    ],
    [
      'a price that is not a number',
      { pricing: { cellularDataPerMB: 'cheap' } },
      /"cellularDataPerMB" must be a number/,
    ],
    [
      'an unknown quota',
      { quotaFile: { controlPlaneTps: { CreateKeyAndCertificate: 50 } } },
      /unknown quota "controlPlaneTps.CreateKeyAndCertificate"/,
    ],
    [
      'a bad fault file',
      { faults: { CreateThing: { rate: 2 } } },
      /CreateThing fault #1: rate 2 is not within 0\.\.1/,
    ],
    ['a bad latency model', { latencyModel: { '*': { distribution: 'normal' } } }, /: \*\.distribution: /],
    ['a file that is not JSON', { quotaFile: '{"controlPlaneTps": ' }, /is not JSON/],
  ] as const)('refuses %s with a usage error (exit 2)', async (title, files, message) => {
    const options = Object.fromEntries(
      Object.entries(files).map(([flag, content]) => [
        flag,
        jsonFile(dir, `${title.replace(/ /g, '-')}.json`, content),
      ]),
    );
    const refused = resolveAccountOptions(options, 'embedded');
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(message);
  });

  it('hands the files to the embedded emulator: its latency, its fault and its quotas shape the run', async () => {
    const out = join(dir, 'run');
    const quotas = jsonFile(dir, 'raised.json', { controlPlaneTps: { CreateKeysAndCertificate: 50 } });
    const latency = jsonFile(dir, 'latency.json', {
      CreateKeysAndCertificate: { distribution: 'fixed', ms: 300 },
    });
    const faults = jsonFile(dir, 'faults-attach.json', {
      AttachThingPrincipal: { rate: 1, error: 'UnauthorizedException' },
    });
    const prices = jsonFile(dir, 'prices.json', { cellularDataPerMB: 0.08 });
    const finished = await provbench(
      [
        'run',
        '--scenario',
        'pre-issued',
        '--devices',
        '3',
        '--concurrency',
        '3',
        '--key-type',
        'ec',
        '--max-attempts',
        '1',
        '--progress',
        'off',
        '--out',
        out,
        '--quota-file',
        quotas,
        '--latency-model',
        latency,
        '--faults',
        faults,
        '--pricing',
        prices,
      ],
      { limitMs: 180_000 },
    );
    // Every device fails on the injected fault, so the default threshold fails: exit 99.
    expect(finished.code, finished.stderr).toBe(99);
    const result = parseRunResult(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
    const scenario = result.scenarios[0]!;
    // The fault: every device fails at AttachThingPrincipal with the injected error's class.
    expect(scenario.summary.devices).toMatchObject({ requested: 3, succeeded: 0, failed: 3 });
    expect(scenario.errors.map((record) => record.errorClass)).toEqual(['auth_rejected']);
    expect(scenario.errors[0]?.sample).toContain('Injected fault (UnauthorizedException)');
    // The latency model: CreateKeysAndCertificate cannot answer sooner than its fixed 300 ms.
    const created = LatencyHistogram.decode(scenario.phases['create-keys-and-certificate']!.histogram);
    expect(created.count).toBe(3);
    expect(created.minMs).toBeGreaterThanOrEqual(300);
    // The quota file: the emulator says it enforces it, and the projection uses it.
    expect(readFileSync(join(out, 'emulator.log'), 'utf8')).toContain(`+ ${quotas}`);
    expect(result.quotaOverrides).toEqual([{ quota: 'CreateKeysAndCertificate', value: 50, awsDefault: 10 }]);
    expect(scenario.projection.bottleneckApi).toBe('AttachPolicy');
    // The price table travels with the result.
    expect(result.pricing?.entries.cellularDataPerMB).toMatchObject({ value: 0.08, read: 'user' });
    expect(scenario.cost?.perDevice).toBeGreaterThan(0);

    // provbench report --pricing re-prices the run over the table it carries; bad input exits 2.
    const repriced = join(dir, 'repriced.html');
    const bootstrap = jsonFile(dir, 'registry.json', { iotRegistryPerMillionOperations: 2.5 });
    const report = await provbench([
      'report',
      join(out, 'result.json'),
      '--pricing',
      bootstrap,
      '--out',
      repriced,
    ]);
    expect(report.code, report.stderr).toBe(0);
    const page = readFileSync(repriced, 'utf8');
    expect(page).toContain(`Prices: ${result.pricing?.name} + ${bootstrap}`);
    expect(page).toMatch(/<code>cellularDataPerMB<\/code><\/th><td class="num">0\.08</);
    expect(page).toMatch(/<code>iotRegistryPerMillionOperations<\/code><\/th><td class="num">2\.5</);
    const typo = jsonFile(dir, 'typo.json', { registryPerMillion: 1 });
    const refused = await provbench([
      'report',
      join(out, 'result.json'),
      '--pricing',
      typo,
      '--out',
      repriced,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('unknown price entry "registryPerMillion"');
  }, 200_000);
});
