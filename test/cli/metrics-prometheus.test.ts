import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LATENCY_BUCKETS_SECONDS } from '../../src/engine/live-metrics.js';
import type { RunResult } from '../../src/metrics/result-schema.js';
import { dashboardTargets, readDashboard, substitute } from '../support/grafana-dashboard.js';
import { type Finished, startProvbench, waitFor } from '../support/provbench-cli.js';
import { describeWithTool } from '../support/tools.js';

const PROMETHEUS = '/usr/bin/prometheus';

/** A free loopback port: bound by the kernel, then released for Prometheus to take. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describeWithTool(
  PROMETHEUS,
  'live metrics scraped by a real Prometheus',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'provbench-prometheus-'));
    const runId = 'pbmetrics-test';
    let prometheus: ChildProcess | null = null;
    let prometheusLog = '';
    let api = '';
    let run: Finished;
    let result: RunResult;

    async function query(
      promql: string,
    ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
      const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as { status: string; data: { result: [] } };
      expect(body.status, promql).toBe('success');
      return body.data.result;
    }

    /** One number: the series' highest value over the last 5 minutes (stale markers after the run ignored). */
    async function value(selector: string): Promise<number | undefined> {
      const rows = await query(`sum(max_over_time(${selector}[5m]))`);
      return rows.length === 0 ? undefined : Number(rows[0]?.value[1]);
    }

    beforeAll(async () => {
      // An open model (devices arrive 10 a second), so schedule lag and in-flight counts exist.
      const cli = startProvbench(
        [
          'run',
          '--scenario',
          'pre-issued,jitp',
          '--devices',
          '20',
          '--rate',
          '10',
          '--key-type',
          'ec',
          '--workers',
          '2',
          '--run-id',
          runId,
          '--out',
          join(dir, 'run'),
          '--progress',
          'off',
          '--metrics-port',
          '0',
          '--metrics-linger',
          '90s',
        ],
        {},
        170_000,
      );
      await waitFor(
        () => /metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/.test(cli.stderr),
        'the metrics URL',
        60_000,
      );
      const target = /metrics: http:\/\/(127\.0\.0\.1:\d+)\/metrics/.exec(cli.stderr)?.[1] ?? '';
      const port = await freePort();
      api = `http://127.0.0.1:${port}`;
      writeFileSync(
        join(dir, 'prometheus.yml'),
        [
          'global:',
          '  scrape_interval: 1s',
          '  scrape_timeout: 1s',
          'scrape_configs:',
          '  - job_name: provbench',
          '    static_configs:',
          `      - targets: ['${target}']`,
          '',
        ].join('\n'),
      );
      prometheus = spawn(
        PROMETHEUS,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      prometheus.stderr?.on('data', (chunk: Buffer) => {
        prometheusLog += chunk.toString();
      });
      // The run serves its final values until a scrape read them, then exits.
      run = await cli.finished;
      expect(run.code, run.stderr).toBe(0);
      result = JSON.parse(readFileSync(join(dir, 'run', 'result.json'), 'utf8')) as RunResult;
    }, 180_000);

    afterAll(() => {
      prometheus?.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });

    it('scraped the run: per scenario, the device counts of result.json', async () => {
      expect(run.stderr).not.toMatch(/cannot serve metrics/);
      const scope = `run_id="${runId}",shard="1/1"`;
      expect(await value(`up{job="provbench"}`), prometheusLog).toBe(1);
      for (const scenario of result.scenarios) {
        const labels = `${scope},scenario="${scenario.summary.scenario}"`;
        const { devices } = scenario.summary;
        expect(await value(`provbench_devices_planned{${labels}}`)).toBe(devices.requested);
        expect(await value(`provbench_devices_started_total{${labels}}`)).toBe(scenario.devicesStarted);
        expect(await value(`provbench_devices_succeeded_total{${labels}}`)).toBe(devices.succeeded);
        expect((await value(`provbench_devices_failed_total{${labels}}`)) ?? 0).toBe(devices.failed);
        expect(await value(`provbench_time_to_connected_seconds_count{${labels}}`)).toBe(devices.succeeded);
        expect(await value(`provbench_schedule_lag_seconds_count{${labels}}`)).toBe(scenario.devicesStarted);
      }
    });

    it('scraped the API calls, attempts and throttled answers of result.json by API', async () => {
      for (const scenario of result.scenarios) {
        const labels = `run_id="${runId}",scenario="${scenario.summary.scenario}"`;
        expect(Object.keys(scenario.apiCalls).length).toBeGreaterThan(0);
        // The devices' calls: prepare's, teardown's and cleanup's carry their own stage.
        for (const [apiName, tally] of Object.entries(scenario.apiCalls)) {
          const api = `${labels},stage="devices",api="${apiName}"`;
          expect(await value(`provbench_api_calls_total{${api}}`), apiName).toBe(tally.calls);
          expect(await value(`provbench_api_attempts_total{${api}}`), apiName).toBe(tally.attempts);
          // Throttled answers: the retried ones result.json counts, and any that ended a call
          // (which then failed its device).
          const throttled = await value(`provbench_api_throttled_total{${api}}`);
          expect(throttled, apiName).toBeGreaterThanOrEqual(tally.retries?.throttled ?? 0);
          expect(throttled, apiName).toBeLessThanOrEqual(
            (tally.retries?.throttled ?? 0) + scenario.summary.devices.failed,
          );
        }
        // prepare's and teardown's calls, as result.json's setupApiCalls counts them.
        expect(Object.keys(scenario.setupApiCalls ?? {}).length).toBeGreaterThan(0);
        for (const [apiName, tally] of Object.entries(scenario.setupApiCalls ?? {})) {
          const api = `${labels},stage=~"prepare|teardown",api="${apiName}"`;
          expect(await value(`provbench_api_calls_total{${api}}`), apiName).toBe(tally.calls);
          expect(await value(`provbench_api_attempts_total{${api}}`), apiName).toBe(tally.attempts);
        }
        // The cleanup's deletions, from the ledger: at least every device's thing.
        const deleted = await value(`provbench_api_calls_total{${labels},stage="cleanup",api="DeleteThing"}`);
        expect(deleted).toBeGreaterThanOrEqual(scenario.summary.devices.succeeded);
      }
    });

    it('answers the dashboard queries: time to connected p50 near result.json, bytes as counted', async () => {
      for (const scenario of result.scenarios) {
        const labels = `run_id="${runId}",scenario="${scenario.summary.scenario}"`;
        const rows = await query(
          `histogram_quantile(0.5, sum by (le) (max_over_time(provbench_time_to_connected_seconds_bucket{${labels}}[5m])))`,
        );
        const p50Seconds = Number(rows[0]?.value[1]);
        // Prometheus interpolates within a bucket: result.json's p50 lies in the same bucket, or
        // (rank rounding at an edge) the one next to it.
        const exact = scenario.summary.timeToConnectedMs.p50 / 1000;
        const bucket = LATENCY_BUCKETS_SECONDS.findIndex((bound) => exact <= bound);
        const lower = LATENCY_BUCKETS_SECONDS[bucket - 2] ?? 0;
        const upper = LATENCY_BUCKETS_SECONDS[bucket + 1] ?? Number.POSITIVE_INFINITY;
        expect(p50Seconds).toBeGreaterThanOrEqual(lower);
        expect(p50Seconds).toBeLessThanOrEqual(upper);
        const { device } = scenario.traffic as { device: Record<string, { total: number }> };
        expect(await value(`provbench_field_link_bytes_total{${labels},direction="sent"}`)).toBe(
          device.bytesSent?.total,
        );
        expect(await value(`provbench_field_link_bytes_total{${labels},direction="received"}`)).toBe(
          device.bytesReceived?.total,
        );
      }
    });

    it('evaluates every query of the Grafana dashboard (deploy/grafana) without error', async () => {
      const values = { runId, scenario: '.*', rateInterval: '2m' };
      for (const { panel, expr } of dashboardTargets(readDashboard())) {
        const response = await fetch(
          `${api}/api/v1/query?query=${encodeURIComponent(substitute(expr, values))}`,
        );
        const body = (await response.json()) as { status: string; error?: string };
        expect(body, `${panel}: ${expr}`).toMatchObject({ status: 'success' });
      }
    });
  },
  { install: 'apt-get install prometheus' },
);
