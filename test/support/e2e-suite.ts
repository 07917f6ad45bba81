import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IoTClient } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceName } from '../../scenarios/lib/names.js';
import { runScenarios } from '../../src/engine/run.js';
import { resolveScenarios } from '../../src/engine/scenario-loader.js';
import type { ScenarioResult } from '../../src/metrics/result-schema.js';
import { type CleanupReport, cleanupFromLedger } from '../../src/targets/cleanup.js';
import { startEmbeddedTarget } from '../../src/targets/embedded.js';
import { createIoTClient } from '../../src/targets/iot-client.js';
import type { StartedTarget } from '../../src/targets/target.js';
import { registryLeftovers } from './registry-probe.js';

/**
 * Built-in scenarios (and variants) end to end on the embedded target through the engine,
 * 200 devices each unless a suite asks for fewer, with EC device keys (the devices' own and
 * those CreateKeysAndCertificate returns) and --quotas none to stay within the test budget.
 * Each suite starts its own emulator process, so two suite files run side by side on the two
 * test workers.
 */
export const DEVICES = 200;

/** Which API each pattern must have called once per device (a logical call, retries aside). */
export const perDeviceApis: Record<string, string[]> = {
  'pre-issued': [
    'CreateKeysAndCertificate',
    'CreateThing',
    'AttachPolicy',
    'AttachThingPrincipal',
    'mqtt:Publish',
  ],
  'byo-ca': ['RegisterCertificate', 'CreateThing', 'AttachPolicy', 'AttachThingPrincipal', 'mqtt:Publish'],
  jitr: ['UpdateCertificate', 'CreateThing', 'AttachPolicy', 'AttachThingPrincipal', 'mqtt:Publish'],
  'krypton:cellular': ['krypton:Bootstrap', 'mqtt:Publish'],
  'krypton:sim-auth': ['keys:Authenticate', 'krypton:Bootstrap', 'mqtt:Publish'],
  jitp: ['mqtt:Publish'],
  'fleet-provisioning:create-keys': ['mqtt:CreateKeysAndCertificate', 'mqtt:RegisterThing', 'mqtt:Publish'],
  'fleet-provisioning:create-from-csr': [
    'mqtt:CreateCertificateFromCsr',
    'mqtt:RegisterThing',
    'mqtt:Publish',
  ],
};

/**
 * Patterns whose calls per device are fixed: result.json must count exactly the plan's calls
 * (plus the boot publish), no more, no fewer. Plan entries named `iot:...` are quota buckets
 * for the time-to-fleet projection, not calls the harness makes.
 */
const exactPlans = new Set(['pre-issued', 'byo-ca']);

/** Policies each scenario creates (by purpose), to check they are gone after cleanup. */
const policyPurposes: Record<string, string[]> = {
  jitr: ['device', 'activator'],
  'fleet-provisioning': ['device', 'claim'],
};

/** One finished test run, for a suite's own checks. */
export interface EndToEndRun {
  spec: string;
  scenarioId: string;
  runId: string;
  devices: number;
  scenario: ScenarioResult;
  /** A control-plane client of the run's target. */
  iot: IoTClient;
  /** The run's resource ledger. */
  ledgerPath: string;
  /** The ledger cleanup's report, where the suite cleaned up itself (see `beforeCleanup`). */
  cleanup?: CleanupReport;
}

export interface EndToEndOptions {
  /** Devices each spec provisions (default DEVICES) and how many at once (default 50). */
  devices?: number;
  concurrency?: number;
  seed?: number;
  /** How the test's name ends: what it checks beyond the common checks. */
  checks?: string;
  /** Each test's time budget (default 120 s). */
  testTimeoutMs?: number;
  /**
   * Checks while the run's resources still exist: the engine then keeps them (keepResources)
   * and the suite cleans up from the ledger itself once these have passed.
   */
  beforeCleanup?: (run: EndToEndRun) => Promise<void>;
  /** Checks once cleanup is done and the common checks have passed. */
  afterCleanup?: (run: EndToEndRun) => Promise<void>;
}

export function describeEndToEnd(title: string, specs: string[], options: EndToEndOptions = {}): void {
  const devices = options.devices ?? DEVICES;
  const checks = options.checks ?? 'registry empty after cleanup';
  const timeout = options.testTimeoutMs ?? 120_000;
  describe(title, () => {
    let workDir: string;
    let target: StartedTarget;
    let iot: IoTClient;

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'provbench-scenarios-'));
      target = await startEmbeddedTarget({
        quotas: 'none',
        requestTimeoutMs: 20_000,
        workDir,
        keyType: 'ec',
      });
      iot = createIoTClient(target.iotConfig);
    }, 90_000);

    afterAll(async () => {
      iot?.destroy();
      await target?.close();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    for (const spec of specs) {
      it(`${spec}: ${devices} devices provisioned, summary consistent, ${checks}`, { timeout }, async () => {
        const scenarioId = spec.split(':')[0] as string;
        const runId = `t${spec.replace(/[^a-z]/g, '').slice(0, 6)}${Date.now().toString(36)}`;
        const ledgerPath = join(workDir, `${runId}.ledger.jsonl`);
        const cleanupProgress: Array<{ done: number; total: number }> = [];
        const result = await runScenarios({
          runId,
          scenarios: resolveScenarios(spec),
          devices,
          model: { kind: 'concurrency', concurrency: options.concurrency ?? 50 },
          target,
          quotas: 'none',
          seed: options.seed ?? 7,
          keyType: 'ec',
          timeoutMs: 60_000,
          maxAttempts: 3,
          shard: null,
          ledgerPath,
          keepResources: options.beforeCleanup !== undefined,
          // One worker thread: the emulator process has the other core; a second worker costs more
          // (its own SDK and module load) than it gives on two cores.
          workers: 1,
          onProgress: (progress) => {
            if (progress.cleanup) cleanupProgress.push(progress.cleanup);
          },
        });
        expect(result.partial).toBe(false);
        expect(result.scenarios).toHaveLength(1);
        const scenario = result.scenarios[0] as ScenarioResult;
        const { summary } = scenario;
        const sampleErrors = scenario.errors.map(
          (e) => `${e.phase}/${e.errorClass} x${e.count}: ${e.sample}`,
        );
        expect(sampleErrors).toEqual([]);
        expect(summary.scenario).toBe(scenarioId);
        expect(summary.devices).toEqual({ requested: devices, succeeded: devices, failed: 0 });
        expect(Object.values(summary.errors).reduce((a, b) => a + b, 0)).toBe(0);
        expect(scenario.timeToConnected.count).toBe(devices);
        const ttc = summary.timeToConnectedMs;
        expect(ttc.p50).toBeGreaterThan(0);
        expect(ttc.p50).toBeLessThanOrEqual(ttc.p90);
        expect(ttc.p90).toBeLessThanOrEqual(ttc.p99);
        expect(ttc.p99).toBeLessThanOrEqual(ttc.max);
        expect(summary.devicesPerSecond).toBeGreaterThan(0);
        // Devices per second cannot exceed what the run's duration allows.
        expect(summary.devicesPerSecond).toBeLessThanOrEqual(
          (devices / scenario.durationMs) * 1000 * 1.01 + 1e-9,
        );

        for (const api of perDeviceApis[spec] ?? []) {
          expect(scenario.apiCalls[api]?.calls, `${api} calls`).toBe(devices);
        }
        const connects = scenario.apiCalls['mqtt:Connect']?.calls ?? 0;
        if (scenarioId === 'jitr' || scenarioId === 'jitp') {
          // The first connect of every device is closed by AWS; each device reconnects at least once.
          expect(connects).toBeGreaterThanOrEqual(2 * devices);
        } else if (spec.startsWith('fleet-provisioning')) {
          expect(connects).toBe(2 * devices); // claim session, then the device's own certificate
        } else {
          expect(connects).toBe(devices);
        }
        expect(scenario.apiCallsPerDevice).toBeGreaterThan(0);
        // The field link (loopback here) counted every device's connections and its publish.
        const traffic = scenario.traffic?.device;
        expect(traffic?.bytesSent.count).toBe(devices);
        expect(traffic?.connections.total).toBeGreaterThanOrEqual(connects);
        expect(traffic?.tlsHandshakes.total).toBeGreaterThanOrEqual(devices);
        expect(traffic?.mqttMessages.total).toBeGreaterThanOrEqual(devices);
        expect(traffic?.bytesReceived.p50).toBeGreaterThan(1_000);
        expect(result.network?.profile).toBe('none');
        if (exactPlans.has(spec)) {
          const planned = Object.entries(scenario.plannedCallsPerDevice ?? {}).filter(
            ([api]) => !api.startsWith('iot:'),
          );
          const expected = Object.fromEntries([...planned, ['mqtt:Publish', 1]]);
          const counted = Object.fromEntries(
            Object.entries(scenario.apiCalls).map(([api, tally]) => [api, tally.calls / devices]),
          );
          expect(counted).toEqual(expected);
          const perDevice = Object.values(expected).reduce((sum: number, calls) => sum + Number(calls), 0);
          expect(scenario.apiCallsPerDevice).toBe(perDevice);
        }
        // The per-second series and the boot phase account for every device exactly once.
        expect(scenario.series.reduce((sum, point) => sum + point.succeeded, 0)).toBe(devices);
        expect(scenario.series.reduce((sum, point) => sum + point.failed, 0)).toBe(0);
        expect(scenario.phases.boot?.histogram.count).toBe(devices);
        expect(scenario.phases['mqtt-publish']?.histogram.count).toBe(devices);

        const run: EndToEndRun = { spec, scenarioId, runId, devices, scenario, iot, ledgerPath };
        if (options.beforeCleanup) {
          await options.beforeCleanup(run);
          run.cleanup = await cleanupFromLedger(iot, ledgerPath, {
            onProgress: (done, total) => cleanupProgress.push({ done, total }),
          });
          expect(run.cleanup.failed).toEqual([]);
        }
        // Cleanup reports each ledger resource it deletes, up to all of them.
        const lastCleanup = cleanupProgress.at(-1);
        expect(lastCleanup?.total).toBeGreaterThanOrEqual(devices);
        expect(lastCleanup?.done).toBe(lastCleanup?.total);

        const policies = (policyPurposes[scenarioId] ?? ['device']).map((purpose) =>
          resourceName({ runId, scenarioId }, purpose),
        );
        expect(await registryLeftovers(iot, policies)).toEqual({
          things: [],
          certificates: [],
          caCertificates: [],
          templates: [],
          policies: [],
        });
        await options.afterCleanup?.(run);
      });
    }
  });
}
