import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunResult } from '../../src/metrics/result-schema.js';
import { provbench, startProvbench, waitFor } from '../support/provbench-cli.js';

/** A closed loopback port: the fixtures never call the control plane. */
const OFFLINE = ['--target', 'localstack', '--endpoint-url', 'http://127.0.0.1:9', '--keep-resources'];

function run(fixture: string, devices: number, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const out = mkdtempSync(join(tmpdir(), `pb-exit-${fixture}-`));
  const finished = provbench(
    [
      'run',
      '--scenario',
      `./test/support/scenarios/${fixture}.ts`,
      '--devices',
      String(devices),
      '--workers',
      '1',
      '--progress',
      'off',
      '--out',
      out,
      ...OFFLINE,
      ...extra,
    ],
    env,
  );
  return { out, finished };
}

describe('provbench run exit codes', () => {
  it('0 when every device provisioned; 99 when a threshold fails (default: every device provisioned)', async () => {
    const [passing, failing] = await Promise.all([
      run('slow', 6, [], { SLOW_BOOT_MS: '1' }).finished,
      run('sleepy', 20).finished,
    ]);
    expect(passing.code, passing.stderr).toBe(0);
    expect(failing.code, failing.stderr).toBe(99);
    expect(failing.stderr).toMatch(/1 threshold\(s\) failed \(first: sleepy device_failures rate==0/);
  }, 120_000);

  it('--thresholds replaces the default and is kept in result.json for provbench ci', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-thresholds-'));
    const loose = join(dir, 'loose.json');
    writeFileSync(loose, JSON.stringify({ device_failures: ['rate<0.2'] }));
    const strict = join(dir, 'strict.json');
    writeFileSync(strict, JSON.stringify({ device_failures: ['rate<0.05'] }));
    // sleepy: 2 of 20 devices fail, a rate of 0.1.
    const [passing, failing] = await Promise.all([
      run('sleepy', 20, ['--thresholds', loose]),
      run('sleepy', 20, ['--thresholds', strict]),
    ]);
    expect((await passing.finished).code).toBe(0);
    expect((await failing.finished).code).toBe(99);
    const result = parseRunResult(JSON.parse(readFileSync(join(passing.out, 'result.json'), 'utf8')));
    expect(result.config.thresholds).toEqual({ device_failures: ['rate<0.2'] });
  }, 120_000);

  it('107 when a scenario prepare failed, with the cause in result.json', async () => {
    const { out, finished } = run('prepare-fails', 5);
    const done = await finished;
    expect(done.code, done.stderr).toBe(107);
    expect(done.stderr).toContain('prepare failed for prepare-fails');
    const result = parseRunResult(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
    const scenario = result.scenarios[0];
    expect(scenario?.prepareFailed).toBe(true);
    expect(scenario?.summary.devices).toEqual({ requested: 5, succeeded: 0, failed: 0 });
    expect(scenario?.errors[0]).toMatchObject({
      phase: 'prepare:register-ca',
      errorClass: 'network_unreachable',
    });
  }, 120_000);

  it('143 when stopped by SIGTERM (as Kubernetes stops a Job), after writing the partial result', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pb-exit-sigterm-'));
    const ledger = join(out, 'ledger.jsonl');
    const run = startProvbench(
      [
        'run',
        '--scenario',
        './test/support/scenarios/slow.ts',
        '--devices',
        '500',
        '--rate',
        '20',
        '--progress',
        'off',
        '--out',
        out,
        ...OFFLINE,
      ],
      { SLOW_BOOT_MS: '100' },
    );
    await waitFor(() => existsSync(ledger) && readFileSync(ledger, 'utf8').split('\n').length > 5, 'devices');
    run.child.kill('SIGTERM');
    const done = await run.finished;
    expect(done.code, done.stderr).toBe(143);
    expect(parseRunResult(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).partial).toBe(true);
  }, 120_000);

  it('2 for input that cannot be used, with a message saying what to fix', async () => {
    const cases = await Promise.all([
      provbench(['run', '--scenario', 'pre-issued', '--rate', '5', '--concurrency', '2']),
      provbench(['run', '--scenario', 'pre-issued', '--no-such-option']),
      provbench(['run', '--scenario', 'no-such-pattern']),
      provbench(['run', '--scenario', 'pre-issued', '--ready-file', '/nonexistent/ready.json']),
      provbench(['run', '--scenario', 'pre-issued', '--mqtt-endpoint', 'broker.example:99999']),
      provbench(['run', '--scenario', 'pre-issued', '--mqtt-endpoint', '127.0.0.1:8883']),
      provbench(['run', '--scenario', 'pre-issued', '--thresholds', '/nonexistent/t.json']),
    ]);
    expect(cases.map((done) => done.code)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    const [model, unknown, scenario, ready, port, embedded, thresholds] = cases.map((done) => done.stderr);
    expect(model).toContain('give one of --rate, --concurrency or --ramp');
    expect(unknown).toContain("unknown option '--no-such-option'");
    expect(scenario).toContain('no-such-pattern');
    expect(ready).toContain('cannot read the ready file /nonexistent/ready.json');
    expect(port).toContain('expected host[:port]');
    expect(embedded).toContain('--mqtt-endpoint is for remote targets');
    expect(thresholds).toContain('/nonexistent/t.json');
  }, 120_000);
});
