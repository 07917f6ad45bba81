import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceCommit } from '../../src/cli/options.js';
import { provbench } from '../support/cli.js';
import { type NightDocument, syntheticNights } from '../support/synthetic-history.js';

/** The 25th of 32 nights carries a 60% slowdown of krypton; the rest is machine and sampling noise. */
const PLANTED = 'night-25';

async function writeNights(dir: string, nights: NightDocument[]): Promise<void> {
  for (const night of nights) {
    await mkdir(join(dir, night.runId), { recursive: true });
    await writeFile(join(dir, night.runId, 'result.json'), JSON.stringify(night));
  }
}

describe('provbench ci --history and provbench trend (real CLI)', () => {
  let dir: string;
  const history = () => join(dir, 'history');
  const night = (id: string) => join(history(), id, 'result.json');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-trend-'));
    const nights = syntheticNights({
      nights: 32,
      seed: 1,
      noise: 0.08,
      regressionNight: 24,
      regressionPattern: 'krypton',
      regressionFactor: 1.6,
    });
    await writeNights(history(), nights);
    await writeNights(join(dir, 'short'), nights.slice(0, 2));
    await mkdir(join(dir, 'empty'));
    await writeNights(join(dir, 'broken'), nights.slice(0, 4));
    await writeFile(join(dir, 'broken', 'night-02', 'result.json'), '{"schemaVersion": 1, "runId": "half');
    await writeFile(join(dir, 'broken', 'night-03', 'result.json'), JSON.stringify({ schemaVersion: 99 }));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes a noise night against its history and fails the planted regression (exit 1)', async () => {
    const [noise, planted] = await Promise.all([
      provbench(['ci', '--result', night('night-32'), '--history', history()]),
      provbench(['ci', '--result', night(PLANTED), '--history', history(), '--all']),
    ]);
    expect(noise.code, noise.stdout + noise.stderr).toBe(0);
    // night-32 itself is in the directory and is left out; night-25 is in its window, as a good run.
    expect(noise.stdout).toMatch(/median of the last 10 good run\(s\), night-22 .* to night-31 /);
    expect(noise.stdout).toContain('1 left out: this run itself or started after it');
    expect(noise.stdout).toMatch(/PASS: \d+ threshold\(s\) met, no regression beyond the limit/);

    expect(planted.code, planted.stdout + planted.stderr).toBe(1);
    expect(planted.stdout).toMatch(
      /REGRESSED\s+krypton\s+time to connected p50\s+[\d.]+ ms\s+±[\d.]+ ms\s+10\s+[\d.]+ ms\s+\+[\d.]+%\s+lower/,
    );
    const regressedLines = planted.stdout.split('\n').filter((line) => line.startsWith('REGRESSED'));
    expect(regressedLines.length).toBeGreaterThanOrEqual(3);
    for (const line of regressedLines) expect(line).toMatch(/^REGRESSED\s+krypton\s/);
    expect(planted.stdout).toMatch(
      /FAIL: \d+ figure\(s\) regressed more than 10% and the spread of the history/,
    );
  });

  it('says so and falls back with fewer than 3 good runs, or no history at all', async () => {
    const [short, empty] = await Promise.all([
      provbench([
        'ci',
        '--result',
        night('night-03'),
        '--history',
        join(dir, 'short'),
        '--max-regression',
        '400',
      ]),
      provbench(['ci', '--result', night('night-03'), '--history', join(dir, 'empty')]),
    ]);
    expect(short.code, short.stdout + short.stderr).toBe(0);
    expect(short.stdout).toMatch(
      /Only 2 good run\(s\) in the history .*a median needs 3\. Falling back to the latest good run, night-02 /,
    );
    expect(empty.code, empty.stdout + empty.stderr).toBe(0);
    expect(empty.stdout).toMatch(/No good run in the history .*: no regression check, thresholds only/);
  });

  it('exits 2 on bad input: a missing directory, --baseline with --history, unusable files', async () => {
    const [missing, both, broken, skipped] = await Promise.all([
      provbench(['ci', '--result', night('night-32'), '--history', join(dir, 'nope')]),
      provbench([
        'ci',
        '--result',
        night('night-32'),
        '--history',
        history(),
        '--baseline',
        night('night-31'),
      ]),
      provbench(['ci', '--result', night('night-32'), '--history', join(dir, 'broken')]),
      provbench([
        'ci',
        '--result',
        night('night-32'),
        '--history',
        join(dir, 'broken'),
        '--skip-invalid',
        '--max-regression',
        '400',
      ]),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope \(ENOENT\)/);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--baseline and --history both given');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/2 file\(s\) cannot be used \(pass --skip-invalid/);
    expect(broken.stderr).toMatch(/night-02.result\.json is not JSON/);
    expect(broken.stderr).toMatch(/night-03.result\.json is not a provbench result/);
    expect(skipped.code, skipped.stdout + skipped.stderr).toBe(0);
    expect(skipped.stderr).toMatch(/skipped .*night-02.result\.json/);
    expect(skipped.stdout).toContain('Only 2 good run(s)');
  });

  it('trend writes the page with the planted night flagged, and names unusable files', async () => {
    const out = join(dir, 'trend.html');
    const [written, broken] = await Promise.all([
      provbench(['trend', history(), '--out', out]),
      provbench(['trend', join(dir, 'broken'), '--out', join(dir, 'broken.html')]),
    ]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toMatch(
      /wrote .*trend\.html \(\d+ KiB, 32 run\(s\), 6 pattern\(s\), \d+ run\(s\) flagged\)/,
    );
    const html = await readFile(out, 'utf8');
    expect(html).toMatch(
      /data-regression data-run="night-25" data-pattern="krypton" data-figure="time to connected p50"/,
    );
    expect(html).not.toMatch(/data-run="night-25" data-pattern="(?!krypton)/);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/night-02.result\.json is not JSON/);
  });
});

describe('sourceCommit', () => {
  it('prefers PROVBENCH_COMMIT, else the HEAD of provbench’s own checkout', () => {
    expect(sourceCommit({ PROVBENCH_COMMIT: ' abc123 ' })).toBe('abc123');
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' });
    if (head.status === 0) expect(sourceCommit({})).toBe(head.stdout.trim());
    else expect(sourceCommit({})).toBeUndefined();
  });
});
