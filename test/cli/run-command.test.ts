import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCommandAction } from '../../src/cli/commands/run.js';
import { parseRunResult } from '../../src/metrics/result-schema.js';
import { provbench } from '../support/cli.js';

/** A closed loopback port: the fixtures never call the control plane. */
const OFFLINE = ['--target', 'localstack', '--endpoint-url', 'http://127.0.0.1:9'];

function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
}

describe('provbench run (command line)', () => {
  it('Ctrl-C stops cleanly and still writes partial results, the report and the ledger', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pb-sigint-'));
    const ledger = join(out, 'ledger.jsonl');
    let poll: NodeJS.Timeout | undefined;
    const finished = await provbench(
      [
        'run',
        '--scenario',
        './test/support/scenarios/slow.ts',
        '--devices',
        '1000',
        '--rate',
        '40',
        '--keep-resources',
        '--out',
        out,
        ...OFFLINE,
      ],
      {
        env: { SLOW_BOOT_MS: '100' },
        onSpawn: (pid) => {
          poll = setInterval(() => {
            if (lineCount(ledger) >= 20) {
              clearInterval(poll);
              process.kill(pid, 'SIGINT');
            }
          }, 100);
        },
      },
    );
    clearInterval(poll);
    expect(finished.stderr).toContain('stopping');
    expect(finished.code).toBe(130);
    const result = parseRunResult(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
    expect(result.partial).toBe(true);
    const devices = result.scenarios[0]?.summary.devices;
    expect(devices?.requested).toBe(1000);
    expect(devices?.succeeded).toBeGreaterThanOrEqual(5);
    expect((devices?.succeeded ?? 0) + (devices?.failed ?? 0)).toBeLessThan(1000);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(lineCount(ledger)).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('--shard parts run as separate processes merge with provbench merge into the whole run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-shards-'));
    const common = [
      'run',
      '--keep-resources',
      '--scenario',
      './test/support/scenarios/sleepy.ts',
      '--devices',
      '60',
      '--rate',
      '300',
      '--workers',
      '1',
      ...OFFLINE,
    ];
    const parts = await Promise.all(
      [1, 2].map((index) =>
        provbench([
          ...common,
          '--shard',
          `${index}/2`,
          '--run-id',
          'shardtest',
          '--out',
          join(dir, `part${index}`),
        ]),
      ),
    );
    // sleepy fails devices with index % 10 === 3, all odd, all in shard 2: it fails the default
    // threshold (every device provisioned) and exits 99; shard 1 provisions every device.
    expect(parts.map((part) => part.code)).toEqual([0, 99]);
    const merged = await provbench([
      'merge',
      join(dir, 'part1/result.json'),
      join(dir, 'part2/result.json'),
      '--out',
      join(dir, 'merged.json'),
    ]);
    expect(merged.code).toBe(0);
    const result = parseRunResult(JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')));
    const scenario = result.scenarios[0];
    // sleepy: devices with index % 10 === 3 fail, one throttled retry per device.
    expect(scenario?.summary.devices).toEqual({ requested: 60, succeeded: 54, failed: 6 });
    expect(scenario?.apiCalls.Register).toEqual({ calls: 60, attempts: 120, retries: { throttled: 60 } });
    expect(scenario?.timeToConnected.count).toBe(54);
    expect(result.partial).toBe(false);
  }, 60_000);

  it('refuses a real AWS account without --yes and --max-devices, and --dry-run prints the plan', async () => {
    const base = {
      scenario: './test/support/scenarios/control-plane-only.ts',
      devices: 100,
      target: 'aws' as const,
      quotas: 'aws' as const,
      seed: 1,
      keyType: 'rsa' as const,
      timeout: 60_000,
      maxAttempts: 8,
    };
    await expect(runCommandAction(base)).rejects.toThrow(/--yes and --max-devices/);
    await expect(runCommandAction({ ...base, yes: true, maxDevices: 50 })).rejects.toThrow(
      /above --max-devices 50/,
    );
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await runCommandAction({ ...base, devices: 1000, dryRun: true })).toBeNull();
    } finally {
      write.mockRestore();
    }
    const plan = printed.join('');
    expect(plan).toContain('CreateKeysAndCertificate 1000');
    expect(plan).toMatch(/>= 100\.0 s \(bottleneck CreateKeysAndCertificate, 10\.0 devices\/s\)/);
    expect(plan).toContain('nothing was created');
  });

  it('--network: an unknown name or a bad profile file is bad input (exit 2) naming the problem', async () => {
    const unknown = await provbench(['run', '--scenario', 'pre-issued', '--network', '5g', ...OFFLINE]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown network profile "5g": use one of none, wifi, lte, lte-m, nb-iot',
    );
    const file = join(mkdtempSync(join(tmpdir(), 'pb-net-')), 'slow.json');
    writeFileSync(file, JSON.stringify({ name: 'slow', rttMs: { median: 9 } }));
    const bad = await provbench(['run', '--scenario', 'pre-issued', '--network', file, ...OFFLINE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/slow\.json is not a network profile: rttMs\.p95/);
  }, 60_000);
});
