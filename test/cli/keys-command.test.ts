import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { provbench, type RunningCli, startProvbench, waitFor } from '../support/provbench-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'provbench-keys-cli-'));
let emulator: RunningCli | undefined;

afterAll(async () => {
  emulator?.child.kill('SIGTERM');
  await emulator?.finished;
  rmSync(dir, { recursive: true, force: true });
});

describe('provbench keys', () => {
  it('fill tops the stock up to --count; status says how many keys it holds per type', async () => {
    const stock = join(dir, 'status-stock');
    const filled = await provbench(['keys', 'fill', '--count', '3', '--key-type', 'ec', '--dir', stock]);
    expect(filled.code, filled.stderr).toBe(0);
    expect(filled.stdout).toContain(`${join(stock, 'ec-p256')}: 3 ec-p256 keys (added 3 in`);
    const status = await provbench(['keys', 'status'], { PROVBENCH_KEY_STOCK: stock });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`ec-p256: 3 keys in ${stock}: covers 3 CreateKeysAndCertificate calls`);
    expect(status.stdout).toContain('rsa-2048: 0 keys');
  });

  it('refuses an unknown key type with exit 2', async () => {
    const done = await provbench(['keys', 'fill', '--key-type', 'dsa', '--dir', join(dir, 'bad')]);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain("argument 'dsa' is invalid");
  });

  it('a run says when the key stock ran out and keys had to be generated, in its output and result.json', async () => {
    const stock = join(dir, 'run-stock');
    const filled = await provbench(['keys', 'fill', '--count', '2', '--key-type', 'ec', '--dir', stock]);
    expect(filled.code, filled.stderr).toBe(0);
    const readyFile = join(dir, 'ready.json');
    // No ready keys (--key-pool 0): after the 2 stocked keys, every key is generated on demand.
    emulator = startProvbench(
      [
        'emulator',
        '--quotas',
        'none',
        '--device-keys',
        'ec-p256',
        '--key-pool',
        '0',
        '--key-stock',
        stock,
        '--ready-file',
        readyFile,
      ],
      {},
      300_000,
    );
    await waitFor(() => existsSync(readyFile), 'the emulator ready file');
    const out = join(dir, 'run');
    const run = await provbench([
      'run',
      '--scenario',
      'pre-issued',
      '--devices',
      '5',
      '--concurrency',
      '1',
      '--ready-file',
      readyFile,
      '--quotas',
      'none',
      '--out',
      out,
      '--progress',
      'off',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `key stock ran out after 2 keys (2 from ${join(stock, 'ec-p256')}): EC P-256 key generation then served`,
    );
    expect(run.stdout).toContain('for the other 3 keys');
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.keySupply).toMatchObject({
      fromStock: 2,
      generated: 3,
      ranOutAfter: 2,
      algorithm: 'ec-p256',
    });
  }, 240_000);
});
