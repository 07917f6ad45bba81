import type { PriceEntry } from '../metrics/result-schema.js';

/**
 * The default price table: AWS list prices for us-east-1 (first usage tier, no free tier) and a
 * published cellular IoT plan, each with the page it comes from and the date it was read.
 * `provbench run --pricing <file>` (and `provbench report --pricing`) override any entry.
 */

export interface PriceTable {
  /** "default (us-east-1 list prices, 2026-12-04)" or the override file that changed it. */
  name: string;
  currency: 'USD';
  entries: Record<PriceId, PriceEntry>;
}

const READ = '2026-12-04';
const IOT_CORE_PRICING = 'https://aws.amazon.com/iot-core/pricing/';
const IOT_CORE_DETAILS = 'https://aws.amazon.com/iot-core/pricing/additional-details/';
const LAMBDA_PRICING =
  'https://aws.amazon.com/lambda/pricing/ (also https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html)';

export const DEFAULT_PRICES = {
  iotConnectivityPerMillionMinutes: {
    value: 0.08,
    unit: 'USD per 1,000,000 connection-minutes',
    description: 'AWS IoT Core connectivity, metered in one-minute increments',
    source: IOT_CORE_PRICING,
    read: READ,
  },
  iotMessagingPerMillion: {
    value: 1.0,
    unit: 'USD per 1,000,000 messages (5 KB each)',
    description: 'AWS IoT Core messaging, first billion messages a month; metered per started 5 KB',
    source: `${IOT_CORE_PRICING}; metering: ${IOT_CORE_DETAILS}`,
    read: READ,
  },
  iotRegistryPerMillionOperations: {
    value: 1.25,
    unit: 'USD per 1,000,000 operations',
    description:
      'AWS IoT Core registry and Device Shadow operations (the calls in BILLABLE_REGISTRY_OPERATIONS)',
    source: `${IOT_CORE_PRICING}; which calls: ${IOT_CORE_DETAILS}`,
    read: READ,
  },
  iotRulesTriggeredPerMillion: {
    value: 0.15,
    unit: 'USD per 1,000,000 rules triggered',
    description: 'AWS IoT Core rules engine: each time a rule is triggered',
    source: IOT_CORE_PRICING,
    read: READ,
  },
  iotRuleActionsPerMillion: {
    value: 0.15,
    unit: 'USD per 1,000,000 actions',
    description: 'AWS IoT Core rules engine: each action applied (at least one per rule)',
    source: IOT_CORE_PRICING,
    read: READ,
  },
  lambdaRequestsPerMillion: {
    value: 0.2,
    unit: 'USD per 1,000,000 requests',
    description: 'AWS Lambda requests (the JITR activator: one per registration event)',
    source: LAMBDA_PRICING,
    read: READ,
  },
  lambdaGbSecond: {
    value: 0.0000166667,
    unit: 'USD per GB-second',
    description: 'AWS Lambda duration, x86, first 6 billion GB-seconds a month; rounded up to 1 ms',
    source: LAMBDA_PRICING,
    read: READ,
  },
  lambdaMemoryMb: {
    value: 128,
    unit: 'MB',
    description: 'memory the JITR activator function is given (a setting, 128 to 10,240 MB)',
    source: 'setting: Lambda minimum',
    read: READ,
  },
  lambdaDurationMs: {
    value: null,
    unit: 'ms per invocation',
    description:
      'duration of one activator invocation (a setting; unset: the run’s measured prepare:activator p50)',
    source: 'setting: measured by the run unless given',
    read: READ,
  },
  cellularDataPerMB: {
    value: 0.5,
    unit: 'USD per MB (1 MB = 1,048,576 bytes)',
    description:
      'cellular data billed to the SIM: SORACOM plan01s Low Data Volume, flat rate in every country (per-SIM rounding to the billing unit not applied)',
    source:
      'https://blog.soracom.jp/blog/2017/05/22/how-to-buy-and-use-lowdatavolume/ (SORACOM; byte units: https://developers.soracom.io/en/docs/reference/data-usage-calculation)',
    read: READ,
  },
  bootstrapPerRequest: {
    value: null,
    unit: 'USD per bootstrap request',
    description: 'SIM-authenticated bootstrap (SORACOM Krypton): no published price found',
    source: 'not priced: give one with --pricing',
    read: READ,
  },
} satisfies Record<string, PriceEntry>;

export type PriceId = keyof typeof DEFAULT_PRICES;

export const PRICE_IDS = Object.keys(DEFAULT_PRICES) as PriceId[];

/** Entries that are settings of the pattern (not prices) but change a price's quantity. */
export const SETTING_IDS: readonly PriceId[] = ['lambdaMemoryMb', 'lambdaDurationMs'];

/**
 * Control-plane calls AWS bills as registry operations ("You are charged for a Registry
 * operation each time you make a call to one of the following APIs", IOT_CORE_DETAILS read
 * 2026-12-04). Certificate and policy calls (CreateKeysAndCertificate, RegisterCertificate,
 * AttachPolicy, UpdateCertificate, ...) are not on the list and cost nothing.
 */
export const BILLABLE_REGISTRY_OPERATIONS: ReadonlySet<string> = new Set([
  'AddThingToThingGroup',
  'AttachThingPrincipal',
  'CreateThing',
  'CreateThingGroup',
  'CreateThingType',
  'DescribeThing',
  'DescribeThingGroup',
  'DescribeThingType',
  'ListPrincipalThings',
  'ListThingGroups',
  'ListThingGroupsForThing',
  'ListThingPrincipals',
  'ListThings',
  'ListThingsInThingGroup',
  'ListThingTypes',
  'UpdateThing',
  'UpdateThingGroup',
  'UpdateThingGroupsForThing',
]);

export const DEFAULT_TABLE_NAME = `default (AWS us-east-1 list prices and SORACOM plan01s LDV, read ${READ})`;

export function defaultPriceTable(): PriceTable {
  const entries = Object.fromEntries(PRICE_IDS.map((id) => [id, { ...DEFAULT_PRICES[id] }])) as Record<
    PriceId,
    PriceEntry
  >;
  return { name: DEFAULT_TABLE_NAME, currency: 'USD', entries };
}
