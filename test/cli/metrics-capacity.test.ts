import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/metrics/result-schema.js';
import { startProvbench, waitFor } from '../support/provbench-cli.js';

function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((row) => row.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('provbench capacity --metrics-port', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provbench-capacity-metrics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the bootstrap requests as devices while they go, lingers until the final values were scraped, then exits', async () => {
    const cli = startProvbench(
      [
        'capacity',
        '--devices',
        '12',
        '--connections',
        '2',
        // Paced: 12 requests at 2 a second take at least 5 s, several of the 1 s live updates.
        '--rate',
        '2',
        '--key-type',
        'ec',
        '--run-id',
        'pbcapacity-metrics',
        '--out',
        dir,
        '--metrics-port',
        '0',
        '--metrics-linger',
        '120s',
      ],
      {},
      170_000,
    );
    await waitFor(() => /metrics: (http:\S+)/.test(cli.stderr), 'the metrics URL', 60_000);
    const url = /metrics: (http:\S+)/.exec(cli.stderr)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const root = await fetch(url.replace(/metrics$/, ''));
    expect(await root.text()).toContain('/metrics');
    // Scrape until the process exits: it exits only after a scrape that read its final values.
    let text = '';
    const startedSeen = new Set<number>();
    let exited = false;
    void cli.finished.then(() => {
      exited = true;
    });
    while (!exited) {
      const response = await fetch(url).catch(() => null);
      if (response?.ok) {
        expect(response.headers.get('content-type')).toContain('text/plain');
        text = await response.text();
        const started = sample(text, 'provbench_devices_started_total');
        if (started !== undefined) startedSeen.add(started);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const finished = await cli.finished;
    expect(finished.code, finished.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;
    const { devices } = result.scenarios[0]!.summary;
    expect(text).toContain('run_id="pbcapacity-metrics"');
    expect(text).toContain('scenario="capacity:krypton-bootstrap"');
    expect(sample(text, 'provbench_devices_planned')).toBe(devices.requested);
    expect(sample(text, 'provbench_devices_started_total')).toBe(devices.requested);
    expect(sample(text, 'provbench_devices_succeeded_total')).toBe(devices.succeeded);
    expect(sample(text, 'provbench_time_to_connected_seconds_count')).toBe(devices.succeeded);
    expect(sample(text, 'provbench_devices_in_flight')).toBe(0);
    // Live: scrapes during the load saw counts between none and all.
    expect(
      [...startedSeen].some((count) => count > 0 && count < devices.requested),
      [...startedSeen].join(','),
    ).toBe(true);
  }, 180_000);
});
