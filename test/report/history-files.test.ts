import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHistory } from '../../src/report/history-files.js';
import { syntheticNights } from '../support/synthetic-history.js';

describe('loadHistory', () => {
  let dir: string;
  const nights = syntheticNights({ nights: 3, devices: 50, seed: 3 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-history-'));
    // Directory names sort against the dates, so the order must come from startedAt.
    const place = async (path: string, document: unknown) => {
      await mkdir(join(dir, path), { recursive: true });
      await writeFile(join(dir, path, 'result.json'), JSON.stringify(document));
    };
    await place('c', nights[0]);
    await place('b', nights[1]);
    await place('a/deep', nights[2]);
    await place('copy', nights[1]);
    await place('shard', { ...nights[2], runId: 'sharded', shard: { index: 0, count: 2 } });
    const { traffic: _dropped, ...withoutTraffic } = nights[0]!.scenarios[0]!;
    await place('no-traffic', { ...nights[0], runId: 'quiet', scenarios: [withoutTraffic] });
    await writeFile(join(dir, 'notes.json'), '{}');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds result.json files recursively, oldest first, skipping shards and copies', async () => {
    const loaded = await loadHistory([dir]);
    expect(loaded.runs.map((entry) => entry.run.runId)).toEqual([
      'night-01',
      'quiet',
      'night-02',
      'night-03',
    ]);
    expect(loaded.skipped.map((file) => file.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^shard 1\/2 of run sharded: merge the shards \(provbench merge\)/),
        expect.stringMatching(/^a copy of run night-02 \(also in .*\)$/),
      ]),
    );
  });

  it('reads data per device where the run counted traffic, and nothing where it did not', async () => {
    const loaded = await loadHistory([dir]);
    const night = loaded.runs.find((entry) => entry.run.runId === 'night-01')!;
    const quiet = loaded.runs.find((entry) => entry.run.runId === 'quiet')!;
    const sent = nights[0]!.scenarios[0]!.traffic.device.bytesSent.mean;
    expect(night.dataPerDevice.get('pre-issued')).toEqual({
      sent,
      received: nights[0]!.scenarios[0]!.traffic.device.bytesReceived.mean,
    });
    expect(quiet.dataPerDevice.size).toBe(0);
    expect(night.run.environment.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('an empty directory is an empty history; a missing path is an error', async () => {
    await mkdir(join(dir, 'empty-dir'));
    expect((await loadHistory([join(dir, 'empty-dir')])).runs).toEqual([]);
    await expect(loadHistory([join(dir, 'missing')])).rejects.toThrow(/cannot read .*missing \(ENOENT\)/);
  });
});
