/**
 * Scenario throughput benchmark (issue 5): devices per second for each built-in scenario on the
 * embedded target with --quotas none, next to the raw mutual-TLS handshake rate measured in the
 * same run. Target per scenario: at least half of (raw rate / mutual-TLS handshakes the pattern
 * needs per device). Each row also gives the CPU time per device of the harness (this process,
 * all threads) and of the emulator process over the devices stage: figures that other load on
 * the machine disturbs far less than rates do, so changes can be compared on a busy machine.
 *
 *   npx tsx bench/scenarios.ts [--devices 2000] [--concurrency 64] [--key-type ec]
 *                             [--scenarios pre-issued,byo-ca,...] [--raw-seconds 5] [--raw-concurrency 32]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KeyType } from '../src/contract/scenario.js';
import { startEmbeddedTarget } from '../src/targets/embedded.js';
import { patternCpuPerDevice } from './pattern-cpu.js';
import { rawMtlsBaseline } from './raw-mtls.js';

/** Mutual-TLS handshakes one device needs, from each pattern's flow. */
const HANDSHAKES: Record<string, number> = {
  'pre-issued': 1,
  'byo-ca': 1,
  jitr: 2, // first connect closed, reconnect (more if the activator is slower than the backoff)
  'krypton:cellular': 2, // HTTPS bootstrap, MQTT
  'krypton:sim-auth': 2, // HTTPS keys + verify + bootstrap on one keep-alive connection, MQTT
  jitp: 2,
  'fleet-provisioning:create-keys': 2, // claim session, own certificate
  'fleet-provisioning:create-from-csr': 2,
};

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    'key-type': { type: 'string', default: 'ec' },
    scenarios: { type: 'string', default: Object.keys(HANDSHAKES).join(',') },
    'raw-seconds': { type: 'string', default: '5' },
    'raw-concurrency': { type: 'string', default: '32' },
  },
});
const devices = Number(values.devices);
const concurrency = Number(values.concurrency);
const keyType = values['key-type'] as KeyType;
const specs = (values.scenarios ?? '').split(',').filter(Boolean);

const raw = await rawMtlsBaseline({
  seconds: Number(values['raw-seconds']),
  concurrency: Number(values['raw-concurrency']),
});
console.log(
  `load ${loadavg()
    .map((load) => load.toFixed(1))
    .join(
      ' ',
    )}; raw mutual-TLS handshakes (two Node processes, P-256, fresh context and another client certificate per connection): ` +
    `${raw.perSecond.toFixed(0)}/s (${raw.handshakes} in ${raw.seconds.toFixed(1)} s, ${raw.failed} failed, ${raw.concurrency} in flight); ` +
    `CPU per handshake: client ${raw.clientCpuMs.toFixed(2)} ms, server ${raw.serverCpuMs.toFixed(2)} ms`,
);

const workDir = mkdtempSync(join(tmpdir(), 'provbench-bench-'));
const target = await startEmbeddedTarget({ quotas: 'none', requestTimeoutMs: 30_000, workDir, keyType });

/**
 * The goal by CPU time rather than by rate, which other load on the machine moves less: the
 * cores' capacity for the pattern (cores / CPU per device) against half the raw client's
 * (one process, so one core / its CPU per handshake) per handshake the pattern needs.
 */
function cpuGoalRatio(cpuMsPerDevice: number, handshakes: number): number {
  const patternCapacity = (availableParallelism() * 1000) / cpuMsPerDevice;
  const rawCapacity = 1000 / raw.clientCpuMs;
  return patternCapacity / (rawCapacity / handshakes / 2);
}

const rows: string[] = [];
try {
  for (const spec of specs) {
    const { scenario, harnessMs, emulatorMs } = await patternCpuPerDevice({
      spec,
      keyType,
      devices,
      concurrency,
      target,
      workDir,
    });
    if (!scenario) continue;
    const { summary } = scenario;
    const handshakes = HANDSHAKES[spec] ?? 1;
    const goal = raw.perSecond / handshakes / 2;
    const ratio = summary.devicesPerSecond / goal;
    const row =
      `${spec.padEnd(36)} ${summary.devicesPerSecond.toFixed(1).padStart(8)} dev/s  ` +
      `ok ${summary.devices.succeeded}/${summary.devices.requested}  p50 ${summary.timeToConnectedMs.p50.toFixed(0)} ms  ` +
      `p99 ${summary.timeToConnectedMs.p99.toFixed(0)} ms  handshakes ${handshakes}  goal ${goal.toFixed(0)}/s  ` +
      `${(ratio * 100).toFixed(0)}% of goal  calls/device ${scenario.apiCallsPerDevice.toFixed(2)}  ` +
      `CPU ms/device harness ${harnessMs.toFixed(1)} emulator ${emulatorMs.toFixed(1)}  ` +
      `by CPU ${(cpuGoalRatio(harnessMs + emulatorMs, handshakes) * 100).toFixed(0)}% of goal  load ${(loadavg()[0] ?? 0).toFixed(1)}`;
    rows.push(row);
    console.log(row);
  }
} finally {
  await target.close();
  rmSync(workDir, { recursive: true, force: true });
}
// Measured again at the end: the raw phase is one single-threaded client, so load moves it.
const rawAfter = await rawMtlsBaseline({
  seconds: Number(values['raw-seconds']),
  concurrency: Number(values['raw-concurrency']),
});
console.log(
  `\nraw at the end: ${rawAfter.perSecond.toFixed(0)}/s (client ${rawAfter.clientCpuMs.toFixed(2)} / server ${rawAfter.serverCpuMs.toFixed(2)} CPU ms each, load ${(loadavg()[0] ?? 0).toFixed(1)})`,
);
console.log(
  `raw ${raw.perSecond.toFixed(0)} handshakes/s (client ${raw.clientCpuMs.toFixed(2)} / server ${raw.serverCpuMs.toFixed(2)} CPU ms each); devices ${devices}, concurrency ${concurrency}, keys ${keyType}`,
);
for (const row of rows) console.log(row);
