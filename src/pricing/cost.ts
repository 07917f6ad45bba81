import { LatencyHistogram } from '../metrics/histogram.js';
import type { CostItem, RunResult, ScenarioCost, ScenarioResult } from '../metrics/result-schema.js';
import { BILLABLE_REGISTRY_OPERATIONS, type PriceId, type PriceTable } from './price-table.js';

/**
 * A pattern's provisioning cost per device, from what the run measured: registry calls,
 * connection-minutes, MQTT messages (5 KB units), rules and Lambda invocations of a JITR
 * activator, cellular bytes, bootstrap requests. Pure: a report re-prices a result.json with
 * another table by calling it again.
 */

/** The activator's invocations, as scenarios count them (one per registration event). */
export const ACTIVATOR_INVOKE_API = 'lambda:Invoke';
export const BOOTSTRAP_API = 'krypton:Bootstrap';
const ACTIVATOR_PHASE = 'prepare:activator';
const BYTES_PER_MB = 1024 * 1024;

/** What the cost is computed from: a scenario's result, or a plan (declared calls only). */
export type CostInput = Pick<ScenarioResult, 'apiCalls' | 'plannedCallsPerDevice' | 'phases' | 'traffic'> & {
  /** Devices whose lifecycle started (the denominator of measured calls). */
  devicesStarted: number;
};

/** A dry run's input: the calls a pattern declares, nothing measured. */
export function plannedCostInput(perDevice: Readonly<Record<string, number>>): CostInput {
  return { apiCalls: {}, plannedCallsPerDevice: { ...perDevice }, phases: {}, devicesStarted: 0 };
}

function inputOf(scenario: ScenarioResult): CostInput {
  return { ...scenario, devicesStarted: scenario.devicesStarted ?? scenario.summary.devices.requested };
}

interface CallsPerDevice {
  value: number;
  basis: 'measured' | 'planned';
}

function callsPerDevice(scenario: CostInput, apis: (api: string) => boolean): CallsPerDevice {
  const started = scenario.devicesStarted;
  let measured = 0;
  let combined = 0;
  const names = new Set([
    ...Object.keys(scenario.apiCalls),
    ...Object.keys(scenario.plannedCallsPerDevice ?? {}),
  ]);
  for (const api of names) {
    if (!apis(api)) continue;
    const perDevice = started > 0 ? (scenario.apiCalls[api]?.calls ?? 0) / started : 0;
    measured += perDevice;
    combined += Math.max(perDevice, scenario.plannedCallsPerDevice?.[api] ?? 0);
  }
  return { value: combined, basis: combined > measured ? 'planned' : 'measured' };
}

function price(table: PriceTable, id: PriceId): number | null {
  return table.entries[id].value;
}

function times(quantity: number, ...factors: (number | null)[]): number | null {
  return factors.reduce<number | null>(
    (product, factor) => (product === null || factor === null ? null : product * factor),
    quantity,
  );
}

/** An item billed at one price per million units (the AWS meters) or per unit. */
function meteredItem(
  table: PriceTable,
  item: string,
  unit: string,
  priceId: PriceId,
  quantity: number,
  basis: CostItem['basis'],
  perMillion = true,
): CostItem {
  return {
    item,
    quantity,
    unit,
    prices: [priceId],
    perDevice: times(quantity, perMillion ? 1e-6 : 1, price(table, priceId)),
    basis,
  };
}

function activatorDurationMs(scenario: CostInput, table: PriceTable): number | null {
  const given = price(table, 'lambdaDurationMs');
  if (given !== null) return given;
  const phase = scenario.phases[ACTIVATOR_PHASE];
  if (!phase || phase.histogram.count === 0) return null;
  return LatencyHistogram.decode(phase.histogram).percentileMs(50);
}

function connectivity(scenario: CostInput, table: PriceTable): CostItem {
  const traffic = scenario.traffic?.device;
  let minutes: number;
  let basis: CostItem['basis'];
  if (traffic) {
    // Metered in one-minute increments: each connection counts at least one started minute.
    const connections = traffic.connections.mean;
    const minutesPerConnection =
      connections > 0 ? Math.ceil(traffic.connectedMs.mean / connections / 60_000) : 0;
    minutes = connections * Math.max(1, minutesPerConnection);
    basis = 'measured';
  } else {
    ({ value: minutes } = callsPerDevice(scenario, (api) => api === 'mqtt:Connect'));
    basis = 'estimated';
  }
  return meteredItem(
    table,
    'AWS IoT Core connectivity',
    'connection-minutes',
    'iotConnectivityPerMillionMinutes',
    minutes,
    basis,
  );
}

function messaging(scenario: CostInput, table: PriceTable): CostItem {
  const traffic = scenario.traffic?.device;
  const units = traffic
    ? { value: traffic.mqttBilledUnits.mean, basis: 'measured' as const }
    : {
        value: callsPerDevice(scenario, (api) => api.startsWith('mqtt:')).value,
        basis: 'estimated' as const,
      };
  return meteredItem(
    table,
    'AWS IoT Core messaging',
    'messages (5 KB units)',
    'iotMessagingPerMillion',
    units.value,
    units.basis,
  );
}

function registry(scenario: CostInput, table: PriceTable): CostItem {
  const calls = callsPerDevice(scenario, (api) => BILLABLE_REGISTRY_OPERATIONS.has(api));
  return meteredItem(
    table,
    'AWS IoT Core registry operations',
    'operations',
    'iotRegistryPerMillionOperations',
    calls.value,
    calls.basis,
  );
}

function activator(scenario: CostInput, table: PriceTable): CostItem[] {
  const invocations = callsPerDevice(scenario, (api) => api === ACTIVATOR_INVOKE_API);
  if (invocations.value === 0) return [];
  const ruleTriggered = price(table, 'iotRulesTriggeredPerMillion');
  const ruleAction = price(table, 'iotRuleActionsPerMillion');
  const durationMs = activatorDurationMs(scenario, table);
  const memoryMb = price(table, 'lambdaMemoryMb');
  const gbSeconds =
    durationMs === null || memoryMb === null ? null : (memoryMb / 1024) * (Math.ceil(durationMs) / 1000);
  return [
    {
      item: 'AWS IoT rule and action (registration event to the activator)',
      quantity: invocations.value,
      unit: 'rules triggered (1 action each)',
      prices: ['iotRulesTriggeredPerMillion', 'iotRuleActionsPerMillion'],
      perDevice:
        ruleTriggered === null || ruleAction === null
          ? null
          : invocations.value * 1e-6 * (ruleTriggered + ruleAction),
      basis: invocations.basis,
    },
    meteredItem(
      table,
      'AWS Lambda requests (activator)',
      'requests',
      'lambdaRequestsPerMillion',
      invocations.value,
      invocations.basis,
    ),
    {
      item: 'AWS Lambda duration (activator)',
      quantity: gbSeconds === null ? 0 : invocations.value * gbSeconds,
      unit: 'GB-seconds',
      prices: ['lambdaGbSecond', 'lambdaMemoryMb', 'lambdaDurationMs'],
      perDevice:
        gbSeconds === null ? null : times(invocations.value * gbSeconds, price(table, 'lambdaGbSecond')),
      basis: gbSeconds === null ? 'not measured' : invocations.basis,
    },
  ];
}

function cellularData(scenario: CostInput, table: PriceTable): CostItem {
  const traffic = scenario.traffic?.device;
  const megabytes = traffic ? (traffic.bytesSent.mean + traffic.bytesReceived.mean) / BYTES_PER_MB : 0;
  return {
    item: 'cellular data (SIM plan)',
    quantity: megabytes,
    unit: 'MB',
    prices: ['cellularDataPerMB'],
    perDevice: traffic ? times(megabytes, price(table, 'cellularDataPerMB')) : null,
    basis: traffic ? 'measured' : 'not measured',
  };
}

function bootstrap(scenario: CostInput, table: PriceTable): CostItem[] {
  const requests = callsPerDevice(scenario, (api) => api === BOOTSTRAP_API);
  if (requests.value === 0) return [];
  return [
    meteredItem(
      table,
      'SIM bootstrap requests (Krypton)',
      'requests',
      'bootstrapPerRequest',
      requests.value,
      requests.basis,
      false,
    ),
  ];
}

export function costOfScenario(scenario: CostInput, table: PriceTable): ScenarioCost {
  const items = [
    registry(scenario, table),
    connectivity(scenario, table),
    messaging(scenario, table),
    ...activator(scenario, table),
    ...bootstrap(scenario, table),
    cellularData(scenario, table),
  ];
  const perDevice = items.reduce((sum, item) => sum + (item.perDevice ?? 0), 0);
  return {
    perDevice,
    perMillionDevices: perDevice * 1_000_000,
    items,
    unpriced: items.filter((item) => item.perDevice === null).map((item) => item.item),
  };
}

/** The result with every scenario's `cost` and the run's `pricing` set from `table`. */
export function priceRun(result: RunResult, table: PriceTable): RunResult {
  return {
    ...result,
    pricing: { name: table.name, currency: table.currency, entries: { ...table.entries } },
    scenarios: result.scenarios.map((scenario) => ({
      ...scenario,
      cost: costOfScenario(inputOf(scenario), table),
    })),
  };
}
