/**
 * Capacity benchmark: the same Krypton bootstrap endpoint (one embedded emulator in its own
 * process, --quotas none, EC P-256 keys) driven in one run by
 *   1. our engine's `krypton:sim-auth` scenario (each device: AKA, signed bootstrap, MQTT connect
 *      and publish), and
 *   2. autocannon via `provbench capacity` (AKA for every SIM first, then bootstrap requests only),
 * each first closed-model (same concurrency) then open-model (same request rate). Prints bootstrap
 * requests per second and p99 for each; the engine's bootstrap figures come from its `bootstrap`
 * phase histogram, its devices/s covers the whole device lifecycle.
 *
 * A third pair runs at --overload-rate, above what the service sustains, where latency must grow
 * with the backlog: autocannon's corrected p99 next to its raw service time shows the correction.
 *
 *   npx tsx bench/capacity.ts [--devices 300] [--concurrency 16] [--rate 32] [--overload-rate 160]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCapacity } from '../src/capacity/run-capacity.js';
import type { LoadModel } from '../src/engine/load-model.js';
import { runScenarios } from '../src/engine/run.js';
import { resolveScenarios } from '../src/engine/scenario-loader.js';
import { LatencyHistogram } from '../src/metrics/histogram.js';
import { generateFleet } from '../src/sim/generate.js';
import { startEmbeddedTarget } from '../src/targets/embedded.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '16' },
    rate: { type: 'string', default: '32' },
    'overload-rate': { type: 'string', default: '160' },
  },
});
const devices = Number(values.devices);
const concurrency = Number(values.concurrency);
const rate = Number(values.rate);
const overloadRate = Number(values['overload-rate']);

interface Figures {
  tool: string;
  model: string;
  ok: number;
  total: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  note: string;
}

function print(figures: Figures): void {
  console.log(
    `${figures.tool.padEnd(10)} ${figures.model.padEnd(16)} ${`${figures.ok}/${figures.total}`.padStart(9)} ` +
      `${figures.requestsPerSecond.toFixed(1).padStart(7)} req/s  p50 ${figures.p50.toFixed(1).padStart(7)} ms  ` +
      `p99 ${figures.p99.toFixed(1).padStart(7)} ms  ${figures.note}`,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'provbench-bench-capacity-'));
  const target = await startEmbeddedTarget({
    quotas: 'none',
    keyType: 'ec',
    requestTimeoutMs: 30_000,
    workDir: dir,
  });
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, target.endpoint.rootCaPem);
  const kryptonUrl = target.endpoint.kryptonUrl!;
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}; endpoint ${kryptonUrl}`,
  );
  console.log(`${devices} SIMs per run; tool, model, ok/total, bootstrap req/s, p50, p99`);
  const models: Array<{ label: string; engine: LoadModel; rate?: number }> = [
    { label: `concurrency ${concurrency}`, engine: { kind: 'concurrency', concurrency } },
    { label: `rate ${rate}/s`, engine: { kind: 'constant-rate', rate }, rate },
    // Above what the service sustains: latency must grow with the backlog (coordinated omission).
    {
      label: `rate ${overloadRate}/s`,
      engine: { kind: 'constant-rate', rate: overloadRate },
      rate: overloadRate,
    },
  ];
  let seed = 1000;
  try {
    for (const model of models) {
      const fleet = generateFleet({ devices, seed: seed++ });
      const engine = await runScenarios({
        runId: `benchcap${seed}`,
        scenarios: resolveScenarios('krypton:sim-auth'),
        devices,
        model: model.engine,
        target,
        quotas: 'none',
        seed,
        keyType: 'ec',
        timeoutMs: 60_000,
        maxAttempts: 4,
        shard: null,
        ledgerPath: join(dir, `ledger-${seed}.jsonl`),
        keepResources: false,
        simFor: (index) => {
          const sim = fleet[index]!;
          return { ...sim, ki: sim.ki!, opc: sim.opc! };
        },
      });
      const scenario = engine.scenarios[0]!;
      const bootstrap = LatencyHistogram.decode(scenario.phases.bootstrap!.histogram);
      const bootstraps = scenario.apiCalls['krypton:Bootstrap']?.calls ?? bootstrap.count;
      print({
        tool: 'engine',
        model: model.label,
        ok: scenario.summary.devices.succeeded,
        total: devices,
        requestsPerSecond: bootstraps / (scenario.durationMs / 1000),
        p50: bootstrap.percentileMs(50),
        p99: bootstrap.percentileMs(99),
        note: `(whole devices: ${scenario.summary.devicesPerSecond.toFixed(1)}/s, time to connected p99 ${scenario.summary.timeToConnectedMs.p99.toFixed(0)} ms)`,
      });

      const capacity = await runCapacity({
        endpoint: kryptonUrl,
        caFile,
        devices,
        seed: seed++,
        connections: concurrency,
        rate: model.rate,
        outDir: join(dir, `capacity-${seed}`),
        quotas: 'none',
        keyType: 'ec',
        timeoutSeconds: 30,
        runId: `benchcap${seed}`,
      });
      const summary = capacity.result.scenarios[0]!.summary;
      print({
        tool: 'autocannon',
        model: model.label,
        ok: summary.devices.succeeded,
        total: devices,
        requestsPerSecond: summary.devicesPerSecond,
        p50: capacity.load.latency.percentileMs(50),
        p99: capacity.load.latency.percentileMs(99),
        note:
          `(service time p99 ${capacity.load.serviceTime.percentileMs(99).toFixed(1)} ms; ` +
          `autocannon's own: ${capacity.load.autocannon.requestsPerSecondMean.toFixed(1)} req/s, p99 ${capacity.load.autocannon.latencyP99Ms} ms)`,
      });
    }
  } finally {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
