/**
 * Engine benchmark: devices per second of a CPU-bound, network-free scenario with 1 worker
 * thread and with one per core, side by side in the same process (ratio = how well the
 * workers use the cores; process CPU above 100 % shows threads running in parallel); plus an open-model run above capacity to show coordinated
 * omission handling (time to connected grows with schedule lag instead of hiding it).
 *
 *   node --import tsx bench/engine.ts [devices]
 */
import { availableParallelism } from 'node:os';
import type { LoadModel } from '../src/engine/load-model.js';
import { type RunConfig, runScenarios } from '../src/engine/run.js';
import { LatencyHistogram } from '../src/metrics/histogram.js';
import { fixtureRef, testConfig } from '../test/support/offline-target.js';

const devices = Number(process.argv[2] ?? 2000);
function config(workers: number, model: LoadModel): RunConfig {
  return testConfig({
    runId: `bench${workers}`,
    scenarios: [fixtureRef('cpu-bound')],
    devices,
    model,
    timeoutMs: 600_000,
    maxAttempts: 1,
    workers,
  });
}

async function measure(workers: number, model: LoadModel) {
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = await runScenarios(config(workers, model));
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100;
  const s = result.scenarios[0];
  if (!s) throw new Error('no result');
  const ttc = LatencyHistogram.decode(s.timeToConnected);
  const lag = s.phases['schedule-lag'] ? LatencyHistogram.decode(s.phases['schedule-lag'].histogram) : null;
  return {
    cpuPercent,
    perSecond: s.summary.devicesPerSecond,
    p50: ttc.percentileMs(50),
    p99: ttc.percentileMs(99),
    lagP99: lag?.percentileMs(99) ?? 0,
  };
}

const cores = availableParallelism();
const closed: LoadModel = { kind: 'concurrency', concurrency: 16 };
const one = await measure(1, closed);
const many = await measure(cores, closed);
console.log(`engine-cpu, ${devices} devices, closed model (16 in flight), ${cores} cores`);
console.log(
  `  1 worker:    ${one.perSecond.toFixed(0)} devices/s, time to connected p50 ${one.p50.toFixed(1)} ms, process CPU ${one.cpuPercent.toFixed(0)} % of one core`,
);
console.log(
  `  ${cores} workers:   ${many.perSecond.toFixed(0)} devices/s, time to connected p50 ${many.p50.toFixed(1)} ms, process CPU ${many.cpuPercent.toFixed(0)} % of one core`,
);
console.log(`  ratio:       ${(many.perSecond / one.perSecond).toFixed(2)}x`);
const overload = await measure(cores, { kind: 'constant-rate', rate: Math.round(many.perSecond * 1.5) });
const fits = await measure(cores, { kind: 'constant-rate', rate: Math.round(many.perSecond * 0.5) });
console.log(
  `open model at 0.5x capacity: p99 time to connected ${fits.p99.toFixed(1)} ms (schedule lag p99 ${fits.lagP99.toFixed(1)} ms)`,
);
console.log(
  `open model at 1.5x capacity: p99 time to connected ${overload.p99.toFixed(1)} ms (schedule lag p99 ${overload.lagP99.toFixed(1)} ms)`,
);
