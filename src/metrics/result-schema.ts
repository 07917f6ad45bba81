import { z } from 'zod';
import { ERROR_CLASSES, type ErrorClass } from '../contract/errors.js';
import { ScenarioFacts } from '../contract/facts.js';
import { KeySupply } from '../contract/key-supply.js';
import { ScenarioTraffic } from './traffic-stats.js';

export { ERROR_CLASSES, type ErrorClass, ScenarioFacts };

/**
 * result.json: the contract between the engine (writer) and the reporters, CI gates and
 * merge (readers). It may grow; fields are only ever added. Bump RESULT_SCHEMA_VERSION on a
 * change that an older reader would misread.
 */
export const RESULT_SCHEMA_VERSION = 1;

/** An HDR histogram of latencies in microseconds, as hdr-histogram-js compressed base64. */
export const EncodedHistogram = z.object({
  unit: z.literal('us'),
  encoded: z.string(),
  count: z.number().int().nonnegative(),
});
export type EncodedHistogram = z.infer<typeof EncodedHistogram>;

export const LatencySummaryMs = z.object({
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  max: z.number(),
});

/** The block docs/design.md (result.json) guarantees: always present for every scenario run. */
export const ScenarioSummary = z.object({
  scenario: z.string(),
  devices: z.object({
    requested: z.number().int().nonnegative(),
    succeeded: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
  devicesPerSecond: z.number(),
  timeToConnectedMs: LatencySummaryMs,
  errors: z.record(z.string(), z.number().int().nonnegative()),
});
export type ScenarioSummary = z.infer<typeof ScenarioSummary>;

export const PhaseResult = z.object({
  histogram: EncodedHistogram,
  errors: z.record(z.string(), z.number().int().nonnegative()),
});

/** One second of a run, relative to the scenario's start. */
export const SeriesPoint = z.object({
  second: z.number().int().nonnegative(),
  started: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  errors: z.record(z.string(), z.number().int().nonnegative()),
});

export const ErrorRecord = z.object({
  phase: z.string(),
  errorClass: z.string(),
  count: z.number().int().nonnegative(),
  /** One example message; never contains key material. */
  sample: z.string(),
});

export const ApiCallStats = z.object({
  calls: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  /** Failed attempts the engine retried, by error class (attempts - calls, itemised). */
  retries: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** Calls that failed: their last attempt's error class (a throttled call that ran out of attempts is `throttled` here). */
  failed: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** Attempts that waited for their slot under the account's quota (client-side pacing, `run --pacing quota`). */
  pacedAttempts: z.number().int().nonnegative().optional(),
  /** Milliseconds those attempts waited, summed. */
  pacedWaitMs: z.number().nonnegative().optional(),
});

/**
 * Throttling in a scenario, from its API tallies (device and setup calls): never hidden, and
 * kept apart from failures. A paced run waits for its quota slots rather than being throttled.
 */
export const ThrottlingFigures = z.object({
  /** Throttled answers that were retried (each also counted in `attempts`). */
  retried: z.number().int().nonnegative(),
  /** Calls that ended throttled: attempts or the device's time ran out. */
  failed: z.number().int().nonnegative(),
  /** Attempts that waited for their slot under the account's quota. */
  pacedAttempts: z.number().int().nonnegative(),
  /** Milliseconds they waited, summed. */
  pacedWaitMs: z.number().nonnegative(),
});

export const FleetProjection = z.object({
  bottleneckApi: z.string().nullable(),
  /** Devices per second the quota table allows for this pattern. */
  devicesPerSecondLimit: z.number().nullable(),
  fleets: z.array(z.object({ devices: z.number().int(), seconds: z.number() })),
});

/** Per-device distributions of field-link traffic: defined with their recorder. */
export { Dist, ScenarioTraffic, TrafficStats } from './traffic-stats.js';

/** The device's field link the run simulated (src/network profiles). */
export const NetworkInfo = z.object({
  profile: z.string(),
  link: z.record(z.string(), z.unknown()),
});
export type NetworkInfo = z.infer<typeof NetworkInfo>;

/** One price the run used: its value (null: not priced), unit, and where it comes from. */
export const PriceEntry = z.object({
  value: z.number().nullable(),
  unit: z.string(),
  description: z.string(),
  source: z.string(),
  /** The date the source was read (YYYY-MM-DD), or "user" for a --pricing override. */
  read: z.string(),
});
export type PriceEntry = z.infer<typeof PriceEntry>;

export const PriceTableSchema = z.object({
  name: z.string(),
  currency: z.literal('USD'),
  entries: z.record(z.string(), PriceEntry),
});

/** One line of a pattern's provisioning cost. */
export const CostItem = z.object({
  item: z.string(),
  /** Quantity per device, in `unit`. */
  quantity: z.number().nonnegative(),
  unit: z.string(),
  /** The price entries used (ids in the run's price table). */
  prices: z.array(z.string()),
  /** USD per device, or null when a price used is "not priced" or the quantity was not measured. */
  perDevice: z.number().nullable(),
  /** measured (this run), planned (the scenario's declared calls), estimated (from call counts). */
  basis: z.enum(['measured', 'planned', 'estimated', 'not measured']),
});
export type CostItem = z.infer<typeof CostItem>;

export const ScenarioCost = z.object({
  /** Sum of the priced items, USD per device. */
  perDevice: z.number(),
  perMillionDevices: z.number(),
  items: z.array(CostItem),
  /** Items left out of the sums (not priced, or not measured). */
  unpriced: z.array(z.string()),
});
export type ScenarioCost = z.infer<typeof ScenarioCost>;

/** A quota in force that differs from AWS's default (from --quota-file). */
export const QuotaOverride = z.object({
  quota: z.string(),
  value: z.number(),
  awsDefault: z.number(),
});

const IamPolicyDocument = z.object({
  Version: z.literal('2012-10-17'),
  Statement: z.array(
    z.object({
      Sid: z.string().optional(),
      Effect: z.enum(['Allow', 'Deny']),
      Action: z.union([z.string(), z.array(z.string())]),
      Resource: z.union([z.string(), z.array(z.string())]),
      Condition: z
        .record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())])))
        .optional(),
    }),
  ),
});

export const ScenarioResult = z.object({
  summary: ScenarioSummary,
  title: z.string(),
  facts: ScenarioFacts,
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  timeToConnected: EncodedHistogram,
  phases: z.record(z.string(), PhaseResult),
  series: z.array(SeriesPoint),
  errors: z.array(ErrorRecord),
  /** Per API name: calls (logical) and attempts (including our retries). */
  apiCalls: z.record(z.string(), ApiCallStats),
  apiCallsPerDevice: z.number().nonnegative(),
  /** Once-per-run calls (prepare, teardown), kept apart from the per-device figures. */
  setupApiCalls: z.record(z.string(), ApiCallStats).optional(),
  /** Devices whose lifecycle started (less than requested in a partial run). */
  devicesStarted: z.number().int().nonnegative().optional(),
  /**
   * API calls per device the scenario declares (Scenario.apiPlan), including calls the harness
   * cannot see (a bootstrap service's or a provisioning template's own calls); the projection
   * uses the larger of declared and measured per API.
   */
  plannedCallsPerDevice: z.record(z.string(), z.number().nonnegative()).optional(),
  /** The scenario variant run (e.g. krypton `sim-auth`), when the scenario has variants. */
  variant: z.string().nullable().optional(),
  /** True when the scenario's prepare failed, so no device ran (`errors` says why). */
  prepareFailed: z.boolean().optional(),
  attemptsPerDevice: z.number().nonnegative(),
  /** Throttled answers retried, calls failed throttled, and client-side pacing (absent in older results). */
  throttling: ThrottlingFigures.optional(),
  projection: FleetProjection,
  /** Bytes, connections and messages per device and phase (absent before network profiles). */
  traffic: ScenarioTraffic.optional(),
  /** Provisioning cost per device under the run's price table (`pricing`). */
  cost: ScenarioCost.optional(),
  /**
   * The IAM identity policy each actor of the pattern needs (Scenario.iamPolicies), by actor
   * (`operator`, `factory`, `activator`, `bootstrap`); absent when the scenario declares none.
   */
  iamPolicies: z.record(z.string(), IamPolicyDocument).optional(),
});
export type ScenarioResult = z.infer<typeof ScenarioResult>;

export const RunResult = z.object({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** Whether the run ended early (Ctrl-C, fatal error): the figures are partial. */
  partial: z.boolean(),
  /**
   * A run continued with `provbench run --resume` after it was cut off: how many times, and how
   * many devices cut off mid-way ran again. The figures cover the whole run, device time only.
   */
  resumed: z
    .object({ times: z.number().int().positive(), rerunDevices: z.number().int().nonnegative() })
    .optional(),
  config: z.record(z.string(), z.unknown()),
  environment: z.object({
    provbenchVersion: z.string(),
    node: z.string(),
    platform: z.string(),
    cpus: z.number().int(),
    memoryBytes: z.number(),
    target: z.string(),
    /** The source commit the run was built from (PROVBENCH_COMMIT, else git), for history and trends. */
    commit: z.string().optional(),
  }),
  shard: z.object({ index: z.number().int(), count: z.number().int() }).nullable(),
  scenarios: z.array(ScenarioResult),
  /** The devices' field link (absent in runs before network profiles: loopback). */
  network: NetworkInfo.optional(),
  /** The whole price table the costs were computed with, so a later report can re-price. */
  pricing: PriceTableSchema.optional(),
  /** Quotas in force that differ from AWS's defaults (--quota-file); absent: the defaults. */
  quotaOverrides: z.array(QuotaOverride).optional(),
  /** Embedded target: where CreateKeysAndCertificate's keys came from, and what limited them. */
  keySupply: KeySupply.extend({ note: z.string().nullable() }).optional(),
});
export type RunResult = z.infer<typeof RunResult>;

/** Parses and validates a result.json document, with a message that names the bad field. */
export function parseRunResult(json: unknown, source = 'result.json'): RunResult {
  const parsed = RunResult.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new Error(
      `${source} is not a provbench result (schema ${RESULT_SCHEMA_VERSION}): ${where}: ${issue?.message}`,
    );
  }
  return parsed.data;
}
