/**
 * Harness memory at fleet scale: N no-op devices (default 100,000) through the engine at a
 * fixed arrival rate, sampling this process's RSS (main thread and workers share it) every
 * 200 ms. Prints peak RSS, devices/s, and the result.json size.
 *
 *   node --import tsx bench/engine-memory.ts [devices] [rate]
 */
import { runScenarios } from '../src/engine/run.js';
import { fixtureRef, testConfig } from '../test/support/offline-target.js';

const devices = Number(process.argv[2] ?? 100_000);
const rate = Number(process.argv[3] ?? 2_000);
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 200);
const started = Date.now();
const result = await runScenarios(
  testConfig({
    runId: 'membench',
    scenarios: [fixtureRef('noop')],
    devices,
    model: { kind: 'constant-rate', rate },
    timeoutMs: 60_000,
    maxAttempts: 1,
    // As provbench run: the workers derive their SIMs from the seed, and as many workers as cores.
    simFor: undefined,
    workers: undefined,
  }),
);
clearInterval(sampler);
const s = result.scenarios[0];
console.log(`noop: ${devices} devices at ${rate}/s requested`);
console.log(
  `  succeeded ${s?.summary.devices.succeeded}, ${s?.summary.devicesPerSecond.toFixed(0)} devices/s, p99 time to connected ${s?.summary.timeToConnectedMs.p99.toFixed(1)} ms`,
);
console.log(
  `  wall ${((Date.now() - started) / 1000).toFixed(1)} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, result.json ${(JSON.stringify(result).length / 2 ** 10).toFixed(0)} KiB`,
);
