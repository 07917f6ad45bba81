import type { Dist, RunResult, ScenarioTraffic, TrafficStats } from '../../src/metrics/result-schema.js';
import { seededRandom } from './synthetic-latencies.js';
import { SYNTHETIC_SCENARIOS, syntheticRun } from './synthetic-run.js';

/**
 * Generated nightly runs for history tests: each night draws a machine factor (every latency
 * and the arrival rate wander together, as on a shared CI runner) plus sampling noise, and one
 * night may carry a planted slowdown in one pattern. Nothing here is a measurement.
 */
export interface SyntheticHistoryOptions {
  nights: number;
  devices?: number;
  seed?: number;
  /** Standard deviation of the nightly log-normal machine factor (0.08 ≈ ±8%). */
  noise?: number;
  /** Zero-based night that carries the planted regression. */
  regressionNight?: number;
  regressionPattern?: string;
  /** Latency factor of the planted regression (1.6 = 60% slower). */
  regressionFactor?: number;
}

/** A result.json document: a schema-valid run plus per-scenario traffic figures. */
export type NightDocument = RunResult & {
  scenarios: (RunResult['scenarios'][number] & { traffic: ScenarioTraffic })[];
};

/** A per-device figure that is the same on every device of the night. */
function flat(mean: number, devices: number): Dist {
  return { mean, p50: mean, p99: mean, max: mean, total: mean * devices };
}

function nightTraffic(sent: number, received: number, devices: number): ScenarioTraffic {
  const device: TrafficStats = {
    bytesSent: flat(sent, devices),
    bytesReceived: flat(received, devices),
    connections: flat(1, devices),
    tlsHandshakes: flat(1, devices),
    connectedMs: flat(500, devices),
    mqttMessages: flat(2, devices),
    mqttBilledUnits: flat(2, devices),
  };
  return { device, phases: {} };
}

function normal(random: () => number): number {
  const u1 = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
}

const FIRST_NIGHT = Date.UTC(2026, 0, 1, 3, 17);
const DAY_MS = 86_400_000;

function commitOf(random: () => number): string {
  return Array.from({ length: 40 }, () => Math.floor(random() * 16).toString(16)).join('');
}

export function syntheticNights(options: SyntheticHistoryOptions): NightDocument[] {
  const random = seededRandom(options.seed ?? 7);
  const noise = options.noise ?? 0.08;
  const devices = options.devices ?? 300;
  return Array.from({ length: options.nights }, (_, night) => {
    const machine = Math.exp(noise * normal(random));
    const rate = 50 / Math.exp(noise * normal(random));
    const common = { devices, seed: 1000 + night, ratePerSecond: rate, failureFraction: 0 };
    const planted = night === options.regressionNight ? options.regressionPattern : undefined;
    const base = syntheticRun({
      ...common,
      latencyFactor: machine,
      scenarios: SYNTHETIC_SCENARIOS.filter((scenario) => scenario.id !== planted),
    });
    const slow = planted
      ? syntheticRun({
          ...common,
          latencyFactor: machine * (options.regressionFactor ?? 1.6),
          scenarios: SYNTHETIC_SCENARIOS.filter((scenario) => scenario.id === planted),
        }).scenarios
      : [];
    const startedAt = FIRST_NIGHT + night * DAY_MS;
    const scenarios = SYNTHETIC_SCENARIOS.map(
      (profile) => [...base.scenarios, ...slow].find((scenario) => scenario.summary.scenario === profile.id)!,
    ).map((scenario, index) => ({
      ...scenario,
      startedAt: new Date(startedAt).toISOString(),
      traffic: nightTraffic(
        Math.round((4000 + 500 * index) * (1 + 0.01 * normal(random))),
        Math.round((6000 + 700 * index) * (1 + 0.01 * normal(random))),
        devices,
      ),
    }));
    return {
      ...base,
      runId: `night-${String(night + 1).padStart(2, '0')}`,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(startedAt + 600_000).toISOString(),
      environment: { ...base.environment, commit: commitOf(random) },
      scenarios,
    };
  });
}
