import { join } from 'node:path';
import type { KeyType } from '../src/contract/scenario.js';
import { runScenarios } from '../src/engine/run.js';
import { resolveScenarios } from '../src/engine/scenario-loader.js';
import type { ScenarioResult } from '../src/metrics/result-schema.js';
import type { NetworkProfile } from '../src/network/profile.js';
import type { StartedTarget } from '../src/targets/target.js';
import { DevicesStageCpu, emulatorPid } from './stage-cpu.js';

export interface PatternCpu {
  /** Harness CPU (this process, all threads) per device over the devices stage, ms. */
  harnessMs: number;
  /** The embedded emulator's CPU per device over the same stage, ms (NaN off Linux). */
  emulatorMs: number;
  succeeded: number;
  /** Time to connected, p50, ms. */
  p50Ms: number;
  /** TLS handshakes per started device (more when a device reconnects, e.g. jitr's retries). */
  handshakesPerDevice: number;
  /** The run's result for the pattern (absent when the run gave none). */
  scenario: ScenarioResult | undefined;
}

/**
 * Runs `devices` devices of one pattern through the engine on `target` (quotas off) and
 * measures the CPU a device costs in the devices stage (prepare and cleanup excluded).
 */
export async function patternCpuPerDevice(options: {
  spec: string;
  /** The devices' field link (default `none`). */
  network?: NetworkProfile;
  /** Device key type (default ec). */
  keyType?: KeyType;
  devices: number;
  concurrency: number;
  target: StartedTarget;
  workDir: string;
}): Promise<PatternCpu> {
  const runId = `bench${Date.now().toString(36)}`;
  const cpu = new DevicesStageCpu(emulatorPid());
  const result = await runScenarios({
    runId,
    scenarios: resolveScenarios(options.spec),
    devices: options.devices,
    model: { kind: 'concurrency', concurrency: options.concurrency },
    target: options.target,
    quotas: 'none',
    seed: 11,
    keyType: options.keyType ?? 'ec',
    timeoutMs: 120_000,
    maxAttempts: 3,
    shard: null,
    ledgerPath: join(options.workDir, `${runId}.ledger.jsonl`),
    keepResources: false,
    ...(options.network ? { network: options.network } : {}),
    onProgress: cpu.onProgress,
  });
  const scenario = result.scenarios[0];
  const started = Math.max(1, scenario?.devicesStarted ?? options.devices);
  const stage = cpu.devicesStage();
  return {
    harnessMs: (stage.harness * 1000) / started,
    emulatorMs: (stage.emulator * 1000) / started,
    succeeded: scenario?.summary.devices.succeeded ?? 0,
    p50Ms: scenario?.summary.timeToConnectedMs.p50 ?? Number.NaN,
    handshakesPerDevice: (scenario?.traffic?.device?.tlsHandshakes.total ?? Number.NaN) / started,
    scenario,
  };
}
