import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { provbench } from '../support/cli.js';
import { syntheticRun } from '../support/synthetic-run.js';

describe('provbench ci and report (real CLI)', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  const baseline = syntheticRun({ devices: 600, failureFraction: 0.005, seed: 41, runId: 'baseline' });
  const slower = syntheticRun({
    devices: 600,
    failureFraction: 0.005,
    seed: 41,
    latencyFactor: 1.5,
    runId: 'slower',
  });
  const krypton = baseline.scenarios.find((scenario) => scenario.summary.scenario === 'krypton')!;
  const kryptonP95 = LatencyHistogram.decode(krypton.timeToConnected).percentileMs(95);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-ci-'));
    await writeFile(file('baseline.json'), JSON.stringify(baseline));
    await writeFile(file('slower.json'), JSON.stringify(slower));
    await writeFile(
      file('lenient.json'),
      JSON.stringify({ time_to_connected: ['p(95)<60000'], device_failures: ['rate<0.05'] }),
    );
    await writeFile(
      file('strict.json'),
      JSON.stringify({
        device_failures: ['rate<0.05'],
        'time_to_connected{scenario:krypton}': [`p(95)<${Math.floor(kryptonP95 / 2)}`],
      }),
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 when thresholds hold and nothing regressed, 1 on a threshold failure or a regression', async () => {
    const [pass, threshold, regression, tolerated] = await Promise.all([
      provbench([
        'ci',
        '--result',
        file('baseline.json'),
        '--baseline',
        file('baseline.json'),
        '--thresholds',
        file('lenient.json'),
      ]),
      provbench([
        'ci',
        '--result',
        file('baseline.json'),
        '--baseline',
        file('baseline.json'),
        '--thresholds',
        file('strict.json'),
        '--junit',
        file('gate.xml'),
        '--markdown',
        file('summary.md'),
      ]),
      provbench([
        'ci',
        '--result',
        file('slower.json'),
        '--baseline',
        file('baseline.json'),
        '--thresholds',
        file('lenient.json'),
        '--max-regression',
        '10',
      ]),
      provbench([
        'ci',
        '--result',
        file('slower.json'),
        '--baseline',
        file('baseline.json'),
        '--thresholds',
        file('lenient.json'),
        '--max-regression',
        '400',
      ]),
    ]);

    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/PASS: 12 threshold\(s\) met, no regression/);
    expect(pass.stdout).toContain('(nothing moved)');

    expect(threshold.code, threshold.stdout + threshold.stderr).toBe(1);
    expect(threshold.stdout).toMatch(/FAIL\s+krypton\s+time_to_connected\{scenario:krypton\}\s+p\(95\)</);
    expect(threshold.stdout).toContain('FAIL: 1 threshold(s) failed');
    expect(await readFile(file('gate.xml'), 'utf8')).toMatch(/<failure type="threshold"/);
    expect(await readFile(file('summary.md'), 'utf8')).toContain('### Thresholds: 1 of 7 failed');

    expect(regression.code, regression.stdout + regression.stderr).toBe(1);
    expect(regression.stdout).toMatch(
      /REGRESSED\s+krypton\s+time to connected p50\s+[\d.]+ ms\s+[\d.]+ ms\s+\+[\d.]+%/,
    );
    expect(regression.stdout).toMatch(/FAIL: \d+ figure\(s\) regressed more than 10%/);
    expect(regression.stdout).not.toContain('threshold(s) failed');

    expect(tolerated.code, tolerated.stdout + tolerated.stderr).toBe(0);
  });

  it('exits 1 on a partial run, 2 with a hint when an input cannot be used', async () => {
    await writeFile(file('partial.json'), JSON.stringify({ ...baseline, partial: true }));
    const [missing, partial] = await Promise.all([
      provbench(['ci', '--result', file('nope.json')]),
      provbench(['ci', '--result', file('partial.json'), '--thresholds', file('lenient.json')]),
    ]);
    expect(partial.code, partial.stdout).toBe(1);
    expect(partial.stdout).toContain('FAIL: the run is partial');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json \(ENOENT\); pass the result\.json/);
  });

  it('report writes a comparison of several results, and JUnit/markdown for one', async () => {
    const [comparison, single] = await Promise.all([
      provbench(['report', file('baseline.json'), file('slower.json'), '--out', file('cmp.html')]),
      provbench(['report', file('baseline.json'), '--junit', file('r.xml'), '--markdown', file('r.md')]),
    ]);
    expect(comparison.code, comparison.stderr).toBe(0);
    const html = await readFile(file('cmp.html'), 'utf8');
    expect(html).toContain('krypton · baseline');
    expect(html).toContain('krypton · slower');
    expect(single.code, single.stderr).toBe(0);
    expect(await readFile(file('index.html'), 'utf8')).toContain('provbench run baseline');
    expect(await readFile(file('r.xml'), 'utf8')).toContain('<testsuites name="provbench baseline"');
    expect(await readFile(file('r.md'), 'utf8')).toContain('## provbench run `baseline`');
  });
});
