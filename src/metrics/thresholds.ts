import { z } from 'zod';
import { LatencyHistogram } from './histogram.js';
import type { RunResult, ScenarioResult } from './result-schema.js';
import { failureRate } from './summary.js';

/**
 * k6-style thresholds over a run's results: `{ "time_to_connected{scenario:krypton}": ["p(95)<2000"] }`.
 * A selector without a `scenario` tag applies to every scenario of the run separately.
 *
 * Metrics (k6 type, aggregations, tags):
 * - time_to_connected  trend   avg min med max p(N)   ms, power-on to acknowledged publish
 * - phase_duration     trend   avg min med max p(N)   ms, tag phase (each phase when absent)
 * - device_failures    rate    rate                   (requested - succeeded) / requested
 * - devices_per_second gauge   value
 * - errors             counter count rate             rate = per second; tags class, phase
 * - api_calls_per_device, attempts_per_device  gauge value
 */
export const ThresholdConfig = z.record(
  z.string(),
  z.array(z.union([z.string(), z.object({ threshold: z.string() }).transform((entry) => entry.threshold)])),
);
export type ThresholdConfig = z.infer<typeof ThresholdConfig>;

const COMPARATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
type Comparator = (typeof COMPARATORS)[number];

export interface ThresholdExpression {
  source: string;
  aggregation: string;
  /** For `p(N)`: N in 0..100. */
  percentile: number | null;
  comparator: Comparator;
  value: number;
}

export interface MetricSelector {
  source: string;
  metric: MetricName;
  tags: Record<string, string>;
}

type MetricKind = 'trend' | 'rate' | 'gauge' | 'counter';
const METRICS = {
  time_to_connected: { kind: 'trend', tags: ['scenario'], unit: 'ms' },
  phase_duration: { kind: 'trend', tags: ['scenario', 'phase'], unit: 'ms' },
  device_failures: { kind: 'rate', tags: ['scenario'], unit: '' },
  devices_per_second: { kind: 'gauge', tags: ['scenario'], unit: 'devices/s' },
  errors: { kind: 'counter', tags: ['scenario', 'class', 'phase'], unit: '' },
  api_calls_per_device: { kind: 'gauge', tags: ['scenario'], unit: 'calls' },
  attempts_per_device: { kind: 'gauge', tags: ['scenario'], unit: 'attempts' },
} as const satisfies Record<string, { kind: MetricKind; tags: readonly string[]; unit: string }>;
type MetricName = keyof typeof METRICS;

const AGGREGATIONS: Record<MetricKind, readonly string[]> = {
  trend: ['avg', 'min', 'med', 'max', 'p'],
  rate: ['rate'],
  gauge: ['value'],
  counter: ['count', 'rate'],
};

export interface ThresholdOutcome {
  scenario: string;
  /** The selector as written, with the phase filled in when it was expanded per phase. */
  metric: string;
  expression: string;
  actual: number;
  unit: string;
  passed: boolean;
}

function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

export function parseMetricSelector(source: string): MetricSelector {
  const match = /^([a-z_]+)(?:\{([^}]*)\})?$/.exec(source.trim());
  const name = match?.[1] ?? '';
  if (!match || !isMetricName(name)) {
    throw new Error(
      `threshold metric "${source}" is unknown; use one of ${Object.keys(METRICS).join(', ')}, optionally with tags like {scenario:jitr}`,
    );
  }
  const tags: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter((part) => part.trim() !== '')) {
    const [key, ...rest] = pair.split(':');
    const tag = key?.trim() ?? '';
    const value = rest.join(':').trim();
    if (!(METRICS[name].tags as readonly string[]).includes(tag) || value === '') {
      throw new Error(
        `threshold metric "${source}": tag "${pair.trim()}" is not valid; ${name} takes ${METRICS[name].tags.map((t) => `${t}:VALUE`).join(', ')}`,
      );
    }
    tags[tag] = value;
  }
  return { source: source.trim(), metric: name, tags };
}

export function parseThresholdExpression(source: string): ThresholdExpression {
  const match =
    /^\s*([a-z]+)(?:\(\s*([0-9.]+)\s*\))?\s*(<=|>=|==|!=|<|>)\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*$/i.exec(source);
  if (!match) {
    throw new Error(
      `threshold "${source}" is not understood; write it like k6: "p(95)<2000", "rate<0.01", "value>5", "count==0"`,
    );
  }
  const aggregation = match[1]!.toLowerCase();
  const percentile = match[2] === undefined ? null : Number(match[2]);
  if (aggregation === 'p' && (percentile === null || !(percentile >= 0 && percentile <= 100))) {
    throw new Error(`threshold "${source}": p(N) needs N between 0 and 100`);
  }
  if (aggregation !== 'p' && percentile !== null) {
    throw new Error(`threshold "${source}": only p(N) takes an argument`);
  }
  return {
    source: source.trim(),
    aggregation,
    percentile,
    comparator: match[3] as Comparator,
    value: Number(match[4]),
  };
}

function compare(actual: number, comparator: Comparator, limit: number): boolean {
  switch (comparator) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}

function trendValue(histogram: LatencyHistogram, expression: ThresholdExpression): number {
  switch (expression.aggregation) {
    case 'avg':
      return histogram.meanMs;
    case 'min':
      return histogram.minMs;
    case 'med':
      return histogram.percentileMs(50);
    case 'max':
      return histogram.maxMs;
    default:
      return histogram.percentileMs(expression.percentile ?? 100);
  }
}

interface Measurement {
  metric: string;
  actual: number;
}

function measure(
  scenario: ScenarioResult,
  selector: MetricSelector,
  expression: ThresholdExpression,
): Measurement[] {
  const summary = scenario.summary;
  switch (selector.metric) {
    case 'time_to_connected':
      return [
        {
          metric: selector.source,
          actual: trendValue(LatencyHistogram.decode(scenario.timeToConnected), expression),
        },
      ];
    case 'phase_duration': {
      const wanted = selector.tags.phase;
      const phases = Object.entries(scenario.phases).filter(
        ([phase]) => wanted === undefined || phase === wanted,
      );
      return phases.map(([phase, result]) => ({
        metric: wanted === undefined ? `phase_duration{phase:${phase}}` : selector.source,
        actual: trendValue(LatencyHistogram.decode(result.histogram), expression),
      }));
    }
    case 'device_failures':
      return [{ metric: selector.source, actual: failureRate(summary) }];
    case 'devices_per_second':
      return [{ metric: selector.source, actual: summary.devicesPerSecond }];
    case 'api_calls_per_device':
      return [{ metric: selector.source, actual: scenario.apiCallsPerDevice }];
    case 'attempts_per_device':
      return [{ metric: selector.source, actual: scenario.attemptsPerDevice }];
    case 'errors': {
      const count = scenario.errors
        .filter((record) => selector.tags.class === undefined || record.errorClass === selector.tags.class)
        .filter((record) => selector.tags.phase === undefined || record.phase === selector.tags.phase)
        .reduce((sum, record) => sum + record.count, 0);
      const seconds = scenario.durationMs / 1000;
      const actual = expression.aggregation === 'count' ? count : seconds > 0 ? count / seconds : 0;
      return [{ metric: selector.source, actual }];
    }
  }
}

/** Checks every threshold against every matching scenario; throws on a config that cannot apply. */
export function evaluateThresholds(result: RunResult, config: ThresholdConfig): ThresholdOutcome[] {
  const outcomes: ThresholdOutcome[] = [];
  for (const [selectorSource, expressions] of Object.entries(config)) {
    const selector = parseMetricSelector(selectorSource);
    const definition = METRICS[selector.metric];
    const scenarios = result.scenarios.filter(
      (scenario) =>
        selector.tags.scenario === undefined || scenario.summary.scenario === selector.tags.scenario,
    );
    if (scenarios.length === 0) {
      throw new Error(
        `threshold "${selectorSource}" matches no scenario in run ${result.runId} (it has ${result.scenarios.map((s) => s.summary.scenario).join(', ') || 'none'}); fix the scenario tag`,
      );
    }
    for (const expressionSource of expressions) {
      const expression = parseThresholdExpression(expressionSource);
      if (!AGGREGATIONS[definition.kind].includes(expression.aggregation)) {
        throw new Error(
          `threshold "${selectorSource}: ${expressionSource}": ${selector.metric} is a ${definition.kind}; use ${AGGREGATIONS[definition.kind].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ')}`,
        );
      }
      const unit =
        selector.metric === 'errors' && expression.aggregation === 'rate' ? 'errors/s' : definition.unit;
      for (const scenario of scenarios) {
        for (const { metric, actual } of measure(scenario, selector, expression)) {
          outcomes.push({
            scenario: scenario.summary.scenario,
            metric,
            expression: expression.source,
            actual,
            unit,
            passed: compare(actual, expression.comparator, expression.value),
          });
        }
      }
    }
  }
  return outcomes;
}

/** Parses a thresholds document (the JSON file given to `provbench ci --thresholds`). */
export function parseThresholdConfig(json: unknown, source = 'thresholds'): ThresholdConfig {
  const parsed = ThresholdConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${source} is not a thresholds map like {"time_to_connected": ["p(95)<2000"]}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  for (const [selector, expressions] of Object.entries(parsed.data)) {
    parseMetricSelector(selector);
    for (const expression of expressions) parseThresholdExpression(expression);
  }
  return parsed.data;
}

/** When nothing is configured, a run passes only if every device it started was provisioned. */
export const DEFAULT_THRESHOLDS: ThresholdConfig = { device_failures: ['rate==0'] };

/**
 * The thresholds that apply to a run: the explicit ones (a `--thresholds` file), else the
 * `thresholds` the run's config carried (provbench.config.ts), else DEFAULT_THRESHOLDS.
 */
export function thresholdsForRun(result: RunResult, explicit?: ThresholdConfig): ThresholdConfig {
  if (explicit) return explicit;
  const fromConfig = result.config.thresholds;
  if (fromConfig !== undefined)
    return parseThresholdConfig(fromConfig, `run ${result.runId} config.thresholds`);
  return DEFAULT_THRESHOLDS;
}
