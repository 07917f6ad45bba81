import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunResult } from '../../src/metrics/result-schema.js';
import { startProvbench, waitFor } from '../support/provbench-cli.js';

const DEVICES = 4;

/** A sample's value from Prometheus text: the series of `name` with every label in `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  const line = text
    .split('\n')
    .find((row) => row.startsWith(`${name}{`) && wanted.every((label) => row.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('live API call counters by stage', () => {
  it('a scrape of /metrics after the run counts prepare’s and cleanup’s calls beside the devices’', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pb-metrics-stages-'));
    const run = startProvbench(
      [
        'run',
        '--scenario',
        'pre-issued',
        '--devices',
        String(DEVICES),
        '--quotas',
        'none',
        '--key-type',
        'ec',
        '--network',
        'none',
        '--workers',
        '1',
        '--progress',
        'off',
        '--out',
        out,
        '--metrics-port',
        '0',
        '--metrics-linger',
        '60s',
      ],
      {},
      120_000,
    );
    await waitFor(
      () => /metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/.test(run.stderr),
      'the metrics URL',
      60_000,
    );
    const url = /metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(run.stderr)?.[1] as string;
    // The run has ended (its result is written) and lingers until one scrape read the final values.
    await waitFor(() => run.stdout.includes('result: '), 'the end of the run', 90_000);
    const text = await (await fetch(url)).text();
    const finished = await run.finished;
    expect(finished.code, finished.stderr).toBe(0);
    const result = parseRunResult(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
    const scenario = 'pre-issued';
    const calls = (stage: string, api: string) =>
      sample(text, 'provbench_api_calls_total', { scenario, stage, api });

    // prepare: the device policy, as result.json's setupApiCalls counts it.
    expect(result.scenarios[0]?.setupApiCalls?.CreatePolicy?.calls).toBe(1);
    expect(calls('prepare', 'CreatePolicy')).toBe(1);
    expect(
      sample(text, 'provbench_api_attempts_total', { scenario, stage: 'prepare', api: 'CreatePolicy' }),
    ).toBe(1);
    // devices: as result.json's apiCalls.
    expect(calls('devices', 'CreateThing')).toBe(result.scenarios[0]?.apiCalls.CreateThing?.calls);
    expect(calls('devices', 'CreateThing')).toBe(DEVICES);
    expect(calls('prepare', 'CreateThing')).toBeUndefined();
    // cleanup: every device's thing and certificate, and the policy, deleted from the ledger.
    expect(calls('cleanup', 'DeleteThing')).toBe(DEVICES);
    expect(calls('cleanup', 'DeleteCertificate')).toBe(DEVICES);
    expect(calls('cleanup', 'DeletePolicy')).toBe(1);
    expect(calls('devices', 'DeleteThing')).toBeUndefined();
    expect(existsSync(join(out, 'emulator-state'))).toBe(false);
  }, 150_000);
});
