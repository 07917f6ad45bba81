import type { DeviceSim, KeyType } from '../contract/scenario.js';
import { BUILTIN_PROFILES } from '../network/builtin-profiles.js';
import type { NetworkProfile } from '../network/profile.js';
import type { QuotaTable } from '../quotas/aws-default-quotas.js';
import type { PacerShare } from '../quotas/quota-pacer.js';
import type { StartedTarget } from '../targets/target.js';
import type { LiveMetrics } from './live-metrics.js';
import type { LoadModel } from './load-model.js';
import type { ResumeState } from './resume-state.js';
import type { ScenarioRef } from './scenario-loader.js';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export interface RunConfig {
  runId: string;
  scenarios: ScenarioRef[];
  devices: number;
  model: LoadModel;
  target: StartedTarget;
  quotas: 'aws' | 'none';
  seed: number;
  keyType: KeyType;
  timeoutMs: number;
  maxAttempts: number;
  shard: Shard | null;
  /** Worker threads; default: available cores. */
  workers?: number;
  ledgerPath: string;
  keepResources: boolean;
  /**
   * SIM identity of device `index` (the same in every shard). Default: SIM `index` of the fleet
   * seeded with `seed` (src/sim/generate.ts), which each worker derives for its own devices
   * only. A function given here runs in the main thread, and its SIMs are sent to the workers.
   */
  simFor?: (index: number) => DeviceSim;
  /**
   * Aborting stops the run: workers start no more devices, abort those in flight, wait up to
   * `stopGraceMs` for their code to end, then teardown and cleanup run as usual. Results so far
   * are kept and marked partial.
   */
  signal?: AbortSignal;
  /** How long device code may go on after a stop or a timeout before it is abandoned (default 5 s). */
  stopGraceMs?: number;
  onProgress?: (progress: RunProgress) => void;
  /** Settings echoed into result.json `config`. */
  echo?: Record<string, unknown>;
  provbenchVersion?: string;
  /** Source commit recorded in result.json's environment (absent when unknown). */
  commit?: string;
  /** Quota table for the time-to-fleet projection (AWS defaults unless overridden). */
  projectionQuotas?: QuotaTable;
  /**
   * Client-side pacing: the quota schedules every IoT client of the run (operator, factory in
   * each worker, activator, cleanup) takes its slots from. Absent: calls are not paced.
   */
  pacer?: PacerShare;
  /** The devices' field link (default `none`: loopback as it is, traffic still counted). */
  network?: NetworkProfile;
  /** Live Prometheus metrics: workers report to it about once a second (absent: they do not). */
  live?: LiveMetrics;
  /**
   * A resumable run's state in its run dir (device journal, prepare's ctx.shared, finished
   * scenarios): written as the run goes, read back when it is resumed. Absent: not resumable.
   */
  resume?: ResumeState;
}

/** The run's field link: the configured profile, else `none`. */
export function networkOf(config: RunConfig): NetworkProfile {
  return config.network ?? (BUILTIN_PROFILES.none as NetworkProfile);
}

export interface RunProgress {
  scenario: string;
  scenarioNumber: number;
  scenarioCount: number;
  total: number;
  started: number;
  succeeded: number;
  failed: number;
  stage: 'prepare' | 'devices' | 'teardown' | 'cleanup';
  /** During cleanup: ledger resources deleted (or failed) so far, of those to delete. */
  cleanup?: { done: number; total: number };
}
