import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KryptonClient } from '../../scenarios/lib/krypton-client.js';
import {
  BOOTSTRAP_PATH,
  checkRateCoversConnections,
  recordResponse,
} from '../../src/capacity/bootstrap-load.js';
import { CAPACITY_SCENARIO_ID } from '../../src/capacity/capacity-result.js';
import { type CapacityRun, kryptonBaseUrl, runCapacity } from '../../src/capacity/run-capacity.js';
import { errorClassOfStatus } from '../../src/capacity/status-class.js';
import { buildProgram } from '../../src/cli/main.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { parseRunResult } from '../../src/metrics/result-schema.js';
import { writeFleetFile } from '../../src/sim/fleet-file.js';
import { generateFleet } from '../../src/sim/generate.js';
import { hasSecrets, type SimWithSecrets } from '../../src/sim/sim-record.js';
import { type KryptonTestEmulator, startKryptonTestEmulator } from '../support/emulator.js';

describe('provbench capacity against the embedded Krypton service', () => {
  let dir: string;
  let test: KryptonTestEmulator;
  let emulator: RunningEmulator;
  let harness: KryptonClient;
  let run: CapacityRun;
  const known = generateFleet({ devices: 12, seed: 4242 }).filter(hasSecrets) as SimWithSecrets[];
  // Valid SIMs the operator was never told about: their AKA fails with UNKNOWN_IMSI.
  const unknown = (generateFleet({ devices: 14, seed: 4242 }).filter(hasSecrets) as SimWithSecrets[]).slice(
    12,
  );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-capacity-'));
    const clientFleet = join(dir, 'client-fleet.json');
    await writeFleetFile(clientFleet, [...known, ...unknown]);
    test = await startKryptonTestEmulator({ keyPoolSize: 4, sims: known });
    ({ emulator, krypton: harness } = test);
    run = await runCapacity({
      endpoint: `${emulator.kryptonUrl}${BOOTSTRAP_PATH}`,
      fleetFile: clientFleet,
      caFile: emulator.rootCaFile,
      connections: 3,
      rate: 12,
      outDir: join(dir, 'out'),
      seed: 1,
      quotas: 'none',
      keyType: 'ec',
      timeoutSeconds: 20,
      runId: 'capacity-test',
    });
  }, 50_000);

  afterAll(async () => {
    await test?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('bootstraps each known SIM exactly once, each with its own Thing', async () => {
    const ok = run.load.outcomes.filter((outcome) => outcome.status === 200);
    expect(ok.map((outcome) => outcome.imsi).sort()).toEqual(known.map((sim) => sim.imsi).sort());
    expect(ok.map((outcome) => outcome.thingName).sort()).toEqual(
      known.map((sim) => `krypton-${sim.imsi}`).sort(),
    );
    for (const sim of known) {
      const answer = await harness.send(`/_emulator/sims/${sim.imsi}`, '', {}, 'GET');
      const record = JSON.parse(answer.body.toString()) as { certificates: unknown[] };
      expect(record.certificates, sim.imsi).toHaveLength(1);
    }
    const stats = await harness.send('/_emulator/krypton/stats', '', {}, 'GET');
    expect((JSON.parse(stats.body.toString()) as { bootstraps: number }).bootstraps).toBe(known.length);
  });

  it('counts SIMs that could not authenticate as failed devices, never sending their requests', () => {
    expect(run.sessions.failures.map((failure) => failure.imsi).sort()).toEqual(
      unknown.map((sim) => sim.imsi).sort(),
    );
    expect(run.sessions.failures.every((failure) => failure.code === 'UNKNOWN_IMSI')).toBe(true);
    expect(run.load.sent).toBe(known.length);
  });

  it('writes a valid result.json and the HTML report', async () => {
    const result = parseRunResult(JSON.parse(await readFile(run.resultFile, 'utf8')));
    const scenario = result.scenarios[0]!;
    expect(scenario.summary.scenario).toBe(CAPACITY_SCENARIO_ID);
    expect(scenario.summary.devices).toEqual({ requested: 14, succeeded: 12, failed: 2 });
    expect(scenario.phases.bootstrap?.histogram.count).toBe(12);
    expect(scenario.phases['prepare:sim-authentication']?.histogram.count).toBe(12);
    expect(scenario.errors).toEqual([
      expect.objectContaining({
        phase: 'prepare:sim-authentication',
        errorClass: 'protocol_error',
        count: 2,
      }),
    ]);
    expect(scenario.timeToConnected.count).toBe(12);
    expect(scenario.series.reduce((sum, point) => sum + point.started, 0)).toBe(12);
    expect(scenario.series.reduce((sum, point) => sum + point.succeeded, 0)).toBe(12);
    expect(result.config).toMatchObject({
      tool: 'autocannon',
      rate: 12,
      connections: 3,
      connectionRates: [4, 4, 4],
    });
    expect(existsSync(run.htmlFile)).toBe(true);
    expect(await readFile(run.htmlFile, 'utf8')).toContain(CAPACITY_SCENARIO_ID);
  });
});

describe('provbench capacity, unpaced, SIMs registered through the emulator', () => {
  let dir: string;
  let test: KryptonTestEmulator;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-capacity-unpaced-'));
    test = await startKryptonTestEmulator();
    emulator = test.emulator;
  });

  afterAll(async () => {
    await test?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('generates and registers a fleet, then bootstraps each SIM once as fast as the connections go', async () => {
    const run = await runCapacity({
      endpoint: emulator.kryptonUrl!,
      caFile: emulator.rootCaFile,
      devices: 4,
      seed: 5151,
      connections: 2,
      outDir: join(dir, 'out'),
      quotas: 'none',
      keyType: 'ec',
      timeoutSeconds: 20,
      runId: 'capacity-unpaced',
    });
    const expected = generateFleet({ devices: 4, seed: 5151 }).map((sim) => sim.imsi);
    expect(run.load.outcomes.map((outcome) => [outcome.imsi, outcome.status]).sort()).toEqual(
      expected.sort().map((imsi) => [imsi, 200]),
    );
    expect(run.load.connectionRates).toEqual([]);
    // Unpaced: no intended rate, so nothing to correct.
    expect(run.load.latency.count).toBe(4);
    expect(run.result.config).toMatchObject({ rate: null, model: { kind: 'concurrency', concurrency: 2 } });
  }, 30_000);

  it('runs from the command line with the documented flags', async () => {
    const out = join(dir, 'cli');
    await (await buildProgram()).parseAsync([
      'node',
      'provbench',
      'capacity',
      '--endpoint',
      `${emulator.kryptonUrl}${BOOTSTRAP_PATH}`,
      '--ca',
      emulator.rootCaFile,
      '--devices',
      '2',
      '--seed',
      '6262',
      '--connections',
      '2',
      '--rate',
      '2',
      '--duration',
      '10',
      '--out',
      out,
    ]);
    const result = parseRunResult(JSON.parse(await readFile(join(out, 'result.json'), 'utf8')));
    expect(result.scenarios[0]?.summary.devices).toEqual({ requested: 2, succeeded: 2, failed: 0 });
    expect(result.config).toMatchObject({ rate: 2, connections: 2, durationSeconds: 10 });
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  }, 30_000);
});

describe('capacity settings', () => {
  it('refuses a rate autocannon would leave some connections unpaced with', () => {
    expect(() => checkRateCoversConnections(5, 10)).toThrow(/at least --connections 10/);
    expect(() => checkRateCoversConnections(10.5, 2)).toThrow(/whole number/);
    expect(() => checkRateCoversConnections(10, 10)).not.toThrow();
    expect(() => checkRateCoversConnections(undefined, 10)).not.toThrow();
  });

  it('measures paced requests from their intended slot, never below their response time', () => {
    const histograms = { serviceTime: LatencyHistogram.create(), latency: LatencyHistogram.create() };
    // On schedule: slot at 1,000 ms, sent then, answered at 1,100 ms.
    recordResponse(histograms, 100, 1000, 1100);
    // Sent early in autocannon's per-second burst: slot at 1,500 ms, answered at 1,100 ms.
    recordResponse(histograms, 100, 1500, 1100);
    // Behind schedule: its slot was at 0 ms, it was answered at 1,600 ms after 100 ms in flight.
    recordResponse(histograms, 100, 0, 1600);
    // Unpaced: no slot.
    recordResponse(histograms, 250, null, 5000);
    expect(histograms.serviceTime.count).toBe(4);
    expect(histograms.serviceTime.maxMs).toBeCloseTo(250, -1);
    expect(histograms.latency.count).toBe(4);
    expect(histograms.latency.percentileMs(50)).toBeCloseTo(100, -1);
    expect(histograms.latency.maxMs).toBeCloseTo(1600, -1);
  });

  it('refuses a too-low rate before starting anything', async () => {
    await expect(
      runCapacity({
        endpoint: 'https://127.0.0.1:9',
        devices: 20,
        connections: 10,
        rate: 5,
        outDir: join(tmpdir(), 'provbench-capacity-never'),
        seed: 1,
        quotas: 'none',
        keyType: 'ec',
        timeoutSeconds: 1,
        runId: 'never',
      }),
    ).rejects.toThrow(/--rate 5 must be a whole number of at least --connections 10/);
  });

  it('takes a bootstrap URL or the service base URL', () => {
    expect(kryptonBaseUrl('https://k.example.com:8036/v1/provisioning/aws/iot/bootstrap')).toBe(
      'https://k.example.com:8036',
    );
    expect(kryptonBaseUrl('https://k.example.com/api/v1/provisioning/aws/iot/bootstrap/')).toBe(
      'https://k.example.com/api',
    );
    expect(kryptonBaseUrl('https://k.example.com/')).toBe('https://k.example.com');
    expect(() => kryptonBaseUrl('k.example.com')).toThrow(/not a URL/);
  });

  it('classifies answers in the error taxonomy', () => {
    expect([200, 429, 401, 403, 404, 502, 504].map(errorClassOfStatus)).toEqual([
      null,
      'throttled',
      'auth_rejected',
      'auth_rejected',
      'protocol_error',
      'server_error',
      'timeout',
    ]);
  });
});
