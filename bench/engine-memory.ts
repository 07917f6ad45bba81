/**
 * Harness memory at fleet scale: N no-op devices (default 100,000) through the engine at a
 * fixed arrival rate, sampling this process's RSS (main thread and workers share it) every
 * 200 ms. Prints peak RSS, devices/s, and the result.json size.
 *
 *   node --import tsx bench/engine-memory.ts [devices] [rate]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runScenarios } from '../src/engine/run.js';

const devices = Number(process.argv[2] ?? 100_000);
const rate = Number(process.argv[3] ?? 2_000);
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 200);
const started = Date.now();
const result = await runScenarios({
  runId: 'membench',
  scenarios: [
    {
      id: 'engine-noop',
      moduleUrl: pathToFileURL(resolve(import.meta.dirname, 'engine-noop-scenario.ts')).href,
      variant: null,
    },
  ],
  devices,
  model: { kind: 'constant-rate', rate },
  target: {
    name: 'localstack',
    endpoint: {
      target: 'localstack',
      region: 'us-east-1',
      accountId: null,
      controlPlaneUrl: 'http://127.0.0.1:9',
      mqttHost: null,
      mqttPort: null,
      rootCaPem: '',
      kryptonUrl: null,
    },
    iotConfig: {
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      requestTimeoutMs: 1000,
    },
    close: async () => {},
  },
  quotas: 'none',
  seed: 1,
  keyType: 'ec',
  timeoutMs: 60_000,
  maxAttempts: 1,
  shard: null,
  ledgerPath: join(mkdtempSync(join(tmpdir(), 'pb-membench-')), 'ledger.jsonl'),
  keepResources: true,
});
clearInterval(sampler);
const s = result.scenarios[0];
console.log(`engine-noop: ${devices} devices at ${rate}/s requested`);
console.log(
  `  succeeded ${s?.summary.devices.succeeded}, ${s?.summary.devicesPerSecond.toFixed(0)} devices/s, p99 time to connected ${s?.summary.timeToConnectedMs.p99.toFixed(1)} ms`,
);
console.log(
  `  wall ${((Date.now() - started) / 1000).toFixed(1)} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, result.json ${(JSON.stringify(result).length / 2 ** 10).toFixed(0)} KiB`,
);
