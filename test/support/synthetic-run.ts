import { AWS_ISSUED_IDENTITY_CALLS } from '../../scenarios/lib/attach.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import {
  type ErrorClass,
  parseRunResult,
  RESULT_SCHEMA_VERSION,
  type RunResult,
  type ScenarioFacts,
  type ScenarioResult,
} from '../../src/metrics/result-schema.js';
import { buildScenarioSummary } from '../../src/metrics/summary.js';
import { CONTROL_PLANE_TPS } from '../../src/quotas/aws-default-quotas.js';
import { logNormalLatenciesUs, seededRandom } from './synthetic-latencies.js';

/**
 * Generated runs for report and CI-gate tests: latencies are drawn from seeded distributions,
 * recorded into real histograms and summarised by the metrics code, then validated against the
 * result.json schema. Nothing here is a measurement.
 */
export interface SyntheticScenario {
  id: string;
  title: string;
  /** Phase name → median latency in ms of the generated distribution. */
  phaseMediansMs: Record<string, number>;
  /** Control-plane API → calls per device. */
  apiCallsPerDevice: Record<string, number>;
  facts: ScenarioFacts;
}

export const SYNTHETIC_SCENARIOS: SyntheticScenario[] = [
  {
    id: 'pre-issued',
    title: 'Pre-issued AWS certificates',
    phaseMediansMs: { 'create-keys': 90, 'create-thing': 40, 'attach-policy': 30, connect: 120, publish: 20 },
    apiCallsPerDevice: { ...AWS_ISSUED_IDENTITY_CALLS },
    facts: {
      factorySteps: ['CreateKeysAndCertificate', 'CreateThing', 'AttachPolicy', 'write cert+key to image'],
      caToOperate: false,
      cloudCompute: null,
      bootstrapApi: null,
      secretsAtManufacturing: ['device private key'],
      rootOfIdentity: 'AWS IoT CA certificate',
    },
  },
  {
    id: 'jitr',
    title: 'Just-in-time registration',
    phaseMediansMs: { 'first-connect': 150, activate: 300, reconnect: 120, publish: 20 },
    apiCallsPerDevice: { DescribeCertificate: 1, UpdateCertificate: 1, CreateThing: 1, AttachPolicy: 1 },
    facts: {
      factorySteps: ['sign device certificate with own CA'],
      caToOperate: true,
      cloudCompute: 'activator Lambda',
      bootstrapApi: null,
      secretsAtManufacturing: ['device private key', 'CA signing access'],
      rootOfIdentity: 'own CA',
    },
  },
  {
    id: 'byo-ca',
    title: 'Bring your own CA',
    phaseMediansMs: {
      'sign-csr': 5,
      'register-certificate': 60,
      'create-thing': 40,
      connect: 120,
      publish: 20,
    },
    apiCallsPerDevice: { RegisterCertificate: 1, CreateThing: 1, AttachPolicy: 1, AttachThingPrincipal: 1 },
    facts: {
      factorySteps: [
        'device key + CSR',
        'sign with own CA',
        'RegisterCertificate',
        'CreateThing',
        'AttachPolicy',
      ],
      caToOperate: true,
      cloudCompute: null,
      bootstrapApi: null,
      secretsAtManufacturing: ['device private key', 'CA signing access'],
      rootOfIdentity: 'own CA',
    },
  },
  {
    id: 'jitp',
    title: 'Just-in-time provisioning',
    phaseMediansMs: { 'first-connect': 150, template: 200, reconnect: 120, publish: 20 },
    apiCallsPerDevice: {},
    facts: {
      factorySteps: ['sign device certificate with own CA'],
      caToOperate: true,
      cloudCompute: null,
      bootstrapApi: null,
      secretsAtManufacturing: ['device private key', 'CA signing access'],
      rootOfIdentity: 'own CA + provisioning template',
    },
  },
  {
    id: 'fleet-provisioning',
    title: 'Fleet provisioning by claim',
    phaseMediansMs: {
      'claim-connect': 120,
      'create-keys': 100,
      'register-thing': 150,
      reconnect: 120,
      publish: 20,
    },
    apiCallsPerDevice: { RegisterThing: 1 },
    facts: {
      factorySteps: ['write shared claim certificate'],
      caToOperate: false,
      cloudCompute: null,
      bootstrapApi: null,
      secretsAtManufacturing: ['shared claim key'],
      rootOfIdentity: 'claim certificate',
    },
  },
  {
    id: 'krypton',
    title: 'Krypton SIM bootstrap <cellular>',
    phaseMediansMs: { 'sim-auth': 60, bootstrap: 450, connect: 120, publish: 20 },
    apiCallsPerDevice: { ...AWS_ISSUED_IDENTITY_CALLS },
    facts: {
      factorySteps: [],
      caToOperate: false,
      cloudCompute: null,
      bootstrapApi: 'Krypton bootstrap service',
      secretsAtManufacturing: [],
      rootOfIdentity: 'SIM (Ki/OPc)',
    },
  },
];

export interface SyntheticRunOptions {
  devices: number;
  seed?: number;
  /** Scales every generated latency (1.3 = 30% slower). */
  latencyFactor?: number;
  /** Fraction of devices that fail (in their last phase, as throttled or timeout). */
  failureFraction?: number;
  /** Arrival rate of the generated run, devices per second. */
  ratePerSecond?: number;
  scenarios?: SyntheticScenario[];
  runId?: string;
  /**
   * Field conditions: the run names this network profile, every scenario gets traffic figures
   * (bytes scale with its phases and `bytesScale`), and patterns whose factory calls AWS
   * (pre-issued, byo-ca) get a `manufacture` phase of `factoryMedianMs`.
   */
  field?: { profile: string; bytesScale?: number; factoryMedianMs?: number };
}

/** Patterns whose factory step makes AWS calls (a manufacture phase in field runs). */
const FACTORY_CALLS = new Set(['pre-issued', 'byo-ca']);

function trafficDist(mean: number, devices: number) {
  return { mean, p50: mean, p99: mean * 1.2, max: mean * 1.3, total: mean * devices };
}

function syntheticTraffic(profile: SyntheticScenario, devices: number, bytesScale: number) {
  const phases = Object.keys(profile.phaseMediansMs).length;
  const bytes = phases * 1500 * bytesScale;
  const connections =
    profile.phaseMediansMs['first-connect'] || profile.phaseMediansMs['claim-connect'] ? 2 : 1;
  const stats = {
    bytesSent: trafficDist(bytes * 0.4, devices),
    bytesReceived: trafficDist(bytes * 0.6, devices),
    connections: trafficDist(connections, devices),
    tlsHandshakes: trafficDist(connections, devices),
    connectedMs: trafficDist(800 * connections, devices),
    mqttMessages: trafficDist(phases, devices),
    mqttBilledUnits: trafficDist(phases, devices),
  };
  return { device: stats, phases: {} };
}

function projectFleet(apiCallsPerDevice: Record<string, number>): ScenarioResult['projection'] {
  let bottleneckApi: string | null = null;
  let limit = Number.POSITIVE_INFINITY;
  for (const [api, calls] of Object.entries(apiCallsPerDevice)) {
    const tps = CONTROL_PLANE_TPS[api];
    if (tps === undefined || calls === 0) continue;
    if (tps / calls < limit) {
      limit = tps / calls;
      bottleneckApi = api;
    }
  }
  const devicesPerSecondLimit = Number.isFinite(limit) ? limit : null;
  return {
    bottleneckApi,
    devicesPerSecondLimit,
    fleets: [10_000, 100_000, 1_000_000].map((devices) => ({
      devices,
      seconds: devicesPerSecondLimit === null ? 0 : devices / devicesPerSecondLimit,
    })),
  };
}

function syntheticScenario(
  profile: SyntheticScenario,
  options: Required<Omit<SyntheticRunOptions, 'scenarios' | 'runId' | 'field'>>,
  seed: number,
  field?: SyntheticRunOptions['field'],
): ScenarioResult {
  const random = seededRandom(seed);
  const { devices, latencyFactor, failureFraction, ratePerSecond } = options;
  const phaseNames = Object.keys(profile.phaseMediansMs);
  const samplesByPhase = phaseNames.map((phase, index) =>
    logNormalLatenciesUs(
      devices,
      profile.phaseMediansMs[phase]! * 1000 * latencyFactor,
      0.5,
      seed + index + 1,
    ),
  );
  const phaseHistograms = phaseNames.map(() => LatencyHistogram.create());
  const timeToConnected = LatencyHistogram.create();
  const durationSeconds = Math.max(1, Math.ceil(devices / ratePerSecond));
  const series = Array.from({ length: durationSeconds + 2 }, (_, second) => ({
    second,
    started: 0,
    succeeded: 0,
    failed: 0,
    errors: {} as Record<string, number>,
  }));
  const errorCounts = new Map<string, { phase: string; errorClass: ErrorClass; count: number }>();
  let succeeded = 0;
  let failed = 0;
  let lastFinishMs = 0;
  const intervalUs = 1_000_000 / ratePerSecond;
  for (let device = 0; device < devices; device += 1) {
    const startMs = (device * intervalUs) / 1000;
    const fails = random() < failureFraction;
    const phasesRun = fails ? phaseNames.length - 1 : phaseNames.length;
    let totalUs = 0;
    for (let phase = 0; phase < phasesRun; phase += 1) {
      const latency = samplesByPhase[phase]![device]!;
      phaseHistograms[phase]!.recordMicros(latency);
      totalUs += latency;
    }
    const finishMs = startMs + totalUs / 1000;
    lastFinishMs = Math.max(lastFinishMs, finishMs);
    const startPoint = series[Math.floor(startMs / 1000)]!;
    startPoint.started += 1;
    const finishPoint = series[Math.min(series.length - 1, Math.floor(finishMs / 1000))]!;
    if (fails) {
      failed += 1;
      const errorClass: ErrorClass = random() < 0.7 ? 'throttled' : 'timeout';
      const phase = phaseNames[phasesRun]!;
      const key = `${phase}/${errorClass}`;
      const record = errorCounts.get(key) ?? { phase, errorClass, count: 0 };
      record.count += 1;
      errorCounts.set(key, record);
      finishPoint.failed += 1;
      finishPoint.errors[errorClass] = (finishPoint.errors[errorClass] ?? 0) + 1;
    } else {
      succeeded += 1;
      timeToConnected.recordMicros(totalUs, intervalUs);
      finishPoint.succeeded += 1;
    }
  }
  const errors = [...errorCounts.values()].map((record) => ({
    ...record,
    sample: `${record.errorClass} in ${record.phase} <generated> & "quoted"`,
  }));
  const phases = Object.fromEntries(
    phaseNames.map((phase, index) => {
      const phaseErrors: Record<string, number> = {};
      for (const record of errors.filter((e) => e.phase === phase))
        phaseErrors[record.errorClass] = record.count;
      return [phase, { histogram: phaseHistograms[index]!.encode(), errors: phaseErrors }];
    }),
  );
  if (field && FACTORY_CALLS.has(profile.id)) {
    const factory = LatencyHistogram.create();
    for (const latency of logNormalLatenciesUs(
      devices,
      (field.factoryMedianMs ?? 250) * 1000,
      0.3,
      seed + 99,
    ))
      factory.recordMicros(latency);
    phases.manufacture = { histogram: factory.encode(), errors: {} };
  }
  const callsPerDevice = Object.values(profile.apiCallsPerDevice).reduce((sum, calls) => sum + calls, 0);
  const attemptsRatio = 1 + failureFraction;
  const durationMs = Math.max(lastFinishMs, 1);
  return {
    summary: buildScenarioSummary({
      scenario: profile.id,
      requested: devices,
      succeeded,
      failed,
      durationMs,
      timeToConnected,
      errors,
    }),
    title: profile.title,
    facts: profile.facts,
    startedAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    durationMs,
    timeToConnected: timeToConnected.encode(),
    phases,
    series: series.filter((point) => point.second <= Math.floor(lastFinishMs / 1000)),
    errors,
    apiCalls: Object.fromEntries(
      Object.entries(profile.apiCallsPerDevice).map(([api, calls]) => [
        api,
        { calls: calls * devices, attempts: Math.round(calls * devices * attemptsRatio) },
      ]),
    ),
    apiCallsPerDevice: callsPerDevice,
    attemptsPerDevice: callsPerDevice * attemptsRatio,
    projection: projectFleet(profile.apiCallsPerDevice),
    ...(field ? { traffic: syntheticTraffic(profile, devices, field.bytesScale ?? 1) } : {}),
  };
}

/** Builds a schema-valid RunResult from generated samples. */
export function syntheticRun(options: SyntheticRunOptions): RunResult {
  const resolved = {
    devices: options.devices,
    seed: options.seed ?? 1,
    latencyFactor: options.latencyFactor ?? 1,
    failureFraction: options.failureFraction ?? 0.01,
    ratePerSecond: options.ratePerSecond ?? 50,
  };
  const profiles = options.scenarios ?? SYNTHETIC_SCENARIOS;
  const run = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId: options.runId ?? `synthetic-${resolved.seed}`,
    startedAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    finishedAt: new Date(Date.UTC(2026, 0, 1, 1)).toISOString(),
    partial: false,
    config: { devices: resolved.devices, rate: resolved.ratePerSecond, generated: true },
    environment: {
      provbenchVersion: '0.1.0',
      node: process.version,
      platform: process.platform,
      cpus: 2,
      memoryBytes: 4 * 1024 ** 3,
      target: 'synthetic',
    },
    shard: null,
    scenarios: profiles.map((profile, index) =>
      syntheticScenario(profile, resolved, resolved.seed * 100 + index, options.field),
    ),
    ...(options.field
      ? {
          network: { profile: options.field.profile, link: { rttMs: 100 * (options.field.bytesScale ?? 1) } },
        }
      : {}),
  };
  return parseRunResult(JSON.parse(JSON.stringify(run)), 'synthetic run');
}
