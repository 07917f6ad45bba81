import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import type { Dist, ScenarioResult, TrafficStats } from '../../src/metrics/result-schema.js';
import { type CostInput, costOfScenario, plannedCostInput, priceRun } from '../../src/pricing/cost.js';
import { applyPriceOverrides, PricingInputError, priceTableOf } from '../../src/pricing/overrides.js';
import { DEFAULT_PRICES, defaultPriceTable, PRICE_IDS } from '../../src/pricing/price-table.js';
import { syntheticRun } from '../support/synthetic-run.js';

function dist(mean: number): Dist {
  return { mean, p50: mean, p99: mean, max: mean, total: mean * 10 };
}

function traffic(figures: Partial<Record<keyof TrafficStats, number>>): TrafficStats {
  return {
    bytesSent: dist(figures.bytesSent ?? 0),
    bytesReceived: dist(figures.bytesReceived ?? 0),
    connections: dist(figures.connections ?? 0),
    tlsHandshakes: dist(figures.tlsHandshakes ?? 0),
    connectedMs: dist(figures.connectedMs ?? 0),
    mqttMessages: dist(figures.mqttMessages ?? 0),
    mqttBilledUnits: dist(figures.mqttBilledUnits ?? 0),
  };
}

function histogramOf(ms: number[]) {
  const histogram = LatencyHistogram.create();
  for (const value of ms) histogram.recordMillis(value);
  return histogram.encode();
}

/** A JITR-like scenario of 10 devices: every figure below is chosen, not measured. */
function scenario(overrides: Partial<ScenarioResult> = {}): ScenarioResult & CostInput {
  const base = syntheticRun({ devices: 10, seed: 3 }).scenarios[0]!;
  return {
    ...base,
    devicesStarted: 10,
    apiCalls: {
      CreateThing: { calls: 10, attempts: 12 },
      AttachThingPrincipal: { calls: 10, attempts: 10 },
      AttachPolicy: { calls: 10, attempts: 10 },
      DescribeCertificate: { calls: 10, attempts: 10 },
      UpdateCertificate: { calls: 10, attempts: 10 },
      'lambda:Invoke': { calls: 20, attempts: 20 },
      'mqtt:Connect': { calls: 20, attempts: 20 },
      'mqtt:Publish': { calls: 10, attempts: 10 },
    },
    plannedCallsPerDevice: undefined,
    phases: { ...base.phases, 'prepare:activator': { histogram: histogramOf([40, 40, 40]), errors: {} } },
    traffic: {
      device: traffic({
        bytesSent: 6 * 1024,
        bytesReceived: 10 * 1024,
        connections: 2,
        connectedMs: 3_000,
        mqttBilledUnits: 3,
      }),
      phases: {},
    },
    ...overrides,
  };
}

describe('price table', () => {
  it('cites a source page and a read date for every entry, and leaves the bootstrap unpriced', () => {
    for (const id of PRICE_IDS) {
      const entry = DEFAULT_PRICES[id];
      expect(entry.source, id).toMatch(/https:\/\/|setting|not priced/);
      expect(entry.read, id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(DEFAULT_PRICES.bootstrapPerRequest.value).toBeNull();
  });

  it('overrides entries and rejects unknown entries and non-numbers, naming them', () => {
    const table = applyPriceOverrides(
      defaultPriceTable(),
      { cellularDataPerMB: 0.08, bootstrapPerRequest: { value: 0.001, source: 'our contract' } },
      'prices.json',
    );
    expect(table.entries.cellularDataPerMB).toMatchObject({ value: 0.08, read: 'user' });
    expect(table.entries.bootstrapPerRequest).toMatchObject({ value: 0.001, source: 'our contract' });
    expect(table.name).toContain('prices.json');
    expect(defaultPriceTable().entries.cellularDataPerMB.value).toBe(0.5);
    const bad = (json: unknown) => () => applyPriceOverrides(defaultPriceTable(), json, 'p.json');
    expect(bad({ cellularDataPerMb: 1 })).toThrow(
      /unknown price entry "cellularDataPerMb"; known: .*cellularDataPerMB/,
    );
    expect(bad({ cellularDataPerMB: '0.08' })).toThrow(/"cellularDataPerMB" must be a number/);
    expect(bad({ cellularDataPerMB: -1 })).toThrow(PricingInputError);
    expect(bad({ cellularDataPerMB: { value: 1, currency: 'EUR' } })).toThrow(/unknown field\(s\) currency/);
    expect(bad([1])).toThrow(/JSON object/);
  });
});

describe('cost per device', () => {
  it('prices each item from the measured figures', () => {
    const cost = costOfScenario(scenario(), defaultPriceTable());
    const item = (name: string) => cost.items.find((candidate) => candidate.item.startsWith(name))!;
    // Registry: CreateThing + AttachThingPrincipal (AttachPolicy and certificate calls are free).
    expect(item('AWS IoT Core registry').quantity).toBe(2);
    expect(item('AWS IoT Core registry').perDevice).toBeCloseTo(2 * 1.25e-6, 12);
    // Two connections of 1.5 s each: one started minute each.
    expect(item('AWS IoT Core connectivity').quantity).toBe(2);
    expect(item('AWS IoT Core messaging').perDevice).toBeCloseTo(3e-6, 12);
    // Two registration events per device: two rules with one action, two Lambda requests.
    expect(item('AWS IoT rule').perDevice).toBeCloseTo(2 * 0.3e-6, 12);
    expect(item('AWS Lambda requests').perDevice).toBeCloseTo(2 * 0.2e-6, 12);
    // 128 MB for the measured 40 ms (HDR precision, rounded up to the next ms): 0.125 GB x 0.040-0.041 s.
    const gbSeconds = item('AWS Lambda duration').quantity;
    expect(gbSeconds).toBeGreaterThanOrEqual(2 * 0.125 * 0.04);
    expect(gbSeconds).toBeLessThanOrEqual(2 * 0.125 * 0.041);
    expect(item('AWS Lambda duration').perDevice).toBeCloseTo(gbSeconds * 0.0000166667, 15);
    const fixed = costOfScenario(
      scenario(),
      applyPriceOverrides(defaultPriceTable(), { lambdaDurationMs: 500, lambdaMemoryMb: 1024 }, 'p.json'),
    );
    expect(fixed.items.find((one) => one.item === 'AWS Lambda duration (activator)')?.quantity).toBeCloseTo(
      1,
      12,
    );
    expect(item('cellular data').quantity).toBeCloseTo(16 / 1024, 9);
    expect(item('cellular data').perDevice).toBeCloseTo((16 / 1024) * 0.5, 9);
    const sum = cost.items.reduce((total, one) => total + (one.perDevice ?? 0), 0);
    expect(cost.perDevice).toBeCloseTo(sum, 15);
    expect(cost.perMillionDevices).toBeCloseTo(sum * 1e6, 6);
    expect(cost.unpriced).toEqual([]);
  });

  it('counts the declared calls the harness cannot see, and leaves an unpriced bootstrap out of the sum', () => {
    const krypton = scenario({
      apiCalls: { 'krypton:Bootstrap': { calls: 10, attempts: 10 } },
      plannedCallsPerDevice: { 'krypton:Bootstrap': 1, CreateThing: 1, AttachThingPrincipal: 1 },
      traffic: undefined,
    });
    const cost = costOfScenario(krypton, defaultPriceTable());
    const registry = cost.items.find((item) => item.item.startsWith('AWS IoT Core registry'))!;
    expect(registry).toMatchObject({ quantity: 2, basis: 'planned' });
    expect(cost.unpriced).toEqual(['SIM bootstrap requests (Krypton)', 'cellular data (SIM plan)']);
    const withBootstrapPrice = costOfScenario(
      krypton,
      applyPriceOverrides(defaultPriceTable(), { bootstrapPerRequest: 0.002 }, 'p.json'),
    );
    expect(withBootstrapPrice.perDevice - cost.perDevice).toBeCloseTo(0.002, 12);
  });

  it('prices a plan from the calls a pattern declares, before anything runs', () => {
    const plan = costOfScenario(
      plannedCostInput({
        CreateKeysAndCertificate: 1,
        CreateThing: 1,
        AttachThingPrincipal: 1,
        'mqtt:Connect': 1,
        'mqtt:Publish': 1,
      }),
      defaultPriceTable(),
    );
    const item = (name: string) => plan.items.find((candidate) => candidate.item.startsWith(name))!;
    expect(item('AWS IoT Core registry')).toMatchObject({ quantity: 2, basis: 'planned' });
    expect(item('AWS IoT Core connectivity')).toMatchObject({ quantity: 1, basis: 'estimated' });
    expect(item('AWS IoT Core messaging')).toMatchObject({ quantity: 2, basis: 'estimated' });
    expect(plan.perDevice).toBeCloseTo(2 * 1.25e-6 + 0.08e-6 + 2e-6, 15);
    expect(plan.unpriced).toEqual(['cellular data (SIM plan)']);
  });

  it('re-prices a result with the table it carries plus overrides', () => {
    const run = syntheticRun({ devices: 20, seed: 5 });
    const priced = priceRun({ ...run, scenarios: [scenario()] }, defaultPriceTable());
    expect(priced.pricing?.entries.cellularDataPerMB?.value).toBe(0.5);
    const cheaper = applyPriceOverrides(priceTableOf(priced), { cellularDataPerMB: 0.05 }, 'p.json');
    const repriced = priceRun(priced, cheaper);
    const data = (result: typeof priced) =>
      result.scenarios[0]!.cost!.items.find((item) => item.item.startsWith('cellular'))!.perDevice!;
    expect(data(repriced)).toBeCloseTo(data(priced) / 10, 12);
    expect(repriced.pricing?.name).toContain('p.json');
  });
});
