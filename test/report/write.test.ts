import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunReports } from '../../src/report/write.js';
import { syntheticRun } from '../support/synthetic-run.js';

describe('writeRunReports', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-write-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes index.html, junit.xml and summary.md, using the thresholds the run config carries', async () => {
    const run = syntheticRun({ devices: 200, failureFraction: 0, seed: 8 });
    run.config.thresholds = { 'devices_per_second{scenario:jitr}': ['value>1000000'] };
    const written = await writeRunReports(run, join(dir, 'run'));
    expect(written).toEqual({
      html: join(dir, 'run', 'index.html'),
      junit: join(dir, 'run', 'junit.xml'),
      markdown: join(dir, 'run', 'summary.md'),
    });
    const junit = await readFile(written.junit, 'utf8');
    expect(junit.match(/<failure type="threshold"/g)).toHaveLength(1);
    expect(junit).toContain('name="devices_per_second{scenario:jitr}: value&gt;1000000"');
    expect(await readFile(written.markdown, 'utf8')).toContain('### Thresholds: 1 of 1 failed');
  });

  it('still writes the HTML when the thresholds cannot apply, and says which files are missing', async () => {
    const run = syntheticRun({ devices: 100, seed: 9 });
    const out = join(dir, 'bad-thresholds');
    await expect(
      writeRunReports(run, out, { thresholds: { 'time_to_connected{scenario:missing}': ['p(95)<1'] } }),
    ).rejects.toThrow(/index\.html written, but not junit\.xml and summary\.md: .*matches no scenario/);
    expect((await stat(join(out, 'index.html'))).size).toBeGreaterThan(100_000);
  });
});
