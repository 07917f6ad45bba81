import { availableParallelism } from 'node:os';
import type { RunResult, ScenarioResult } from '../metrics/result-schema.js';
import { deviceName, shareIndex, shareIndices, shareSize } from './device-share.js';
import { shardModel } from './load-model.js';
import type { RunConfig, Shard } from './run-config.js';
import { buildRunResult } from './run-result.js';
import { runScenario } from './scenario-run.js';

export type { RunConfig, RunProgress, Shard } from './run-config.js';
export { deviceName };

/** Device indices this shard runs: every `count`-th device starting at `index`. */
export function shardDeviceIndices(devices: number, shard: Shard | null): number[] {
  const share = shareIndices(devices, shard, 0, 1);
  return Array.from({ length: shareSize(share) }, (_, position) => shareIndex(share, position));
}

/**
 * Runs each scenario in turn: prepare (main thread), devices (worker threads), teardown,
 * cleanup from the ledger (unless keepResources). Returns the result.json document;
 * `partial` is true when the signal aborted the run.
 */
export async function runScenarios(config: RunConfig): Promise<RunResult> {
  const startedAt = config.resume?.startedAt ?? new Date().toISOString();
  const scenarios: ScenarioResult[] = [];
  const shardDevices = shareSize(shareIndices(config.devices, config.shard, 0, 1));
  const model = shardModel(config.model, config.shard?.count ?? 1);
  const workerCount = Math.max(1, Math.min(config.workers ?? availableParallelism(), shardDevices || 1));
  let partial = false;

  for (const [scenarioNumber, ref] of config.scenarios.entries()) {
    if (config.signal?.aborted) {
      partial = true;
      break;
    }
    const done = config.resume?.finishedScenario(scenarioNumber);
    if (done) {
      scenarios.push(done);
      continue;
    }
    const outcome = await runScenario(config, ref, { shardDevices, model, workerCount, scenarioNumber });
    scenarios.push(outcome.result);
    // Finished: not cut short, by a stop during its prepare included.
    if (!outcome.interrupted && !config.signal?.aborted)
      config.resume?.saveScenario(scenarioNumber, outcome.result);
    if (outcome.interrupted) {
      partial = true;
      break;
    }
  }
  const result = buildRunResult(config, { startedAt, partial, workerCount, scenarios });
  const attempt = config.resume?.attempt ?? 1;
  if (config.resume && attempt > 1)
    result.resumed = { times: attempt - 1, rerunDevices: config.resume.reruns() };
  return result;
}
