import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import {
  DEFAULT_THRESHOLDS,
  evaluateThresholds,
  parseMetricSelector,
  parseThresholdConfig,
  parseThresholdExpression,
  thresholdsForRun,
} from '../../src/metrics/thresholds.js';
import { syntheticRun } from '../support/synthetic-run.js';

describe('threshold expressions (k6 syntax)', () => {
  it('parses percentiles, rates, gauges and counters', () => {
    expect(parseThresholdExpression('p(95)<2000')).toMatchObject({
      aggregation: 'p',
      percentile: 95,
      comparator: '<',
      value: 2000,
    });
    expect(parseThresholdExpression(' p(99.9) <= 1e3 ')).toMatchObject({
      percentile: 99.9,
      comparator: '<=',
      value: 1000,
    });
    expect(parseThresholdExpression('rate<0.01')).toMatchObject({ aggregation: 'rate', percentile: null });
    expect(parseThresholdExpression('count==0')).toMatchObject({ aggregation: 'count', comparator: '==' });
  });

  it('rejects malformed expressions with an example of the right form', () => {
    expect(() => parseThresholdExpression('p95<2000')).toThrow(/like k6/);
    expect(() => parseThresholdExpression('p(95) less than 2000')).toThrow(/like k6: "p\(95\)<2000"/);
    expect(() => parseThresholdExpression('p(120)<5')).toThrow(/between 0 and 100/);
    expect(() => parseThresholdExpression('avg(3)<5')).toThrow(/only p\(N\)/);
  });

  it('parses metric selectors with tags and names the valid ones on error', () => {
    expect(parseMetricSelector('phase_duration{scenario:jitr, phase:activate}')).toMatchObject({
      metric: 'phase_duration',
      tags: { scenario: 'jitr', phase: 'activate' },
    });
    expect(() => parseMetricSelector('http_req_duration')).toThrow(/time_to_connected/);
    expect(() => parseMetricSelector('devices_per_second{phase:x}')).toThrow(/takes scenario:VALUE/);
  });

  it('validates a whole config and accepts k6 object entries', () => {
    const config = parseThresholdConfig({ time_to_connected: ['p(95)<2000', { threshold: 'max<9000' }] });
    expect(config.time_to_connected).toEqual(['p(95)<2000', 'max<9000']);
    expect(() => parseThresholdConfig({ time_to_connected: 'p(95)<2000' }, 't.json')).toThrow(/t\.json/);
  });
});

describe('evaluateThresholds', () => {
  const run = syntheticRun({ devices: 600, failureFraction: 0.02, seed: 5 });
  const jitr = run.scenarios.find((scenario) => scenario.summary.scenario === 'jitr')!;
  const jitrTtc = LatencyHistogram.decode(jitr.timeToConnected);

  it('applies an untagged threshold to every scenario and compares the measured value', () => {
    const p95 = jitrTtc.percentileMs(95);
    const outcomes = evaluateThresholds(run, {
      'time_to_connected{scenario:jitr}': [`p(95)<${p95 + 1}`, `p(95)<${p95 - 1}`],
    });
    expect(outcomes.map((outcome) => outcome.passed)).toEqual([true, false]);
    expect(outcomes[0]!.actual).toBe(p95);
    expect(outcomes[0]!.unit).toBe('ms');
    const all = evaluateThresholds(run, { time_to_connected: ['med>0'] });
    expect(all.map((outcome) => outcome.scenario)).toEqual(run.scenarios.map((s) => s.summary.scenario));
  });

  it('computes failure rate, error counts and per-phase trends from the result', () => {
    const { succeeded, failed } = jitr.summary.devices;
    const [rate] = evaluateThresholds(run, { 'device_failures{scenario:jitr}': ['rate<0.5'] });
    expect(rate!.actual).toBeCloseTo(failed / (succeeded + failed), 12);
    const throttled = jitr.errors
      .filter((e) => e.errorClass === 'throttled')
      .reduce((sum, e) => sum + e.count, 0);
    const [count] = evaluateThresholds(run, {
      'errors{scenario:jitr,class:throttled}': [`count<=${throttled}`],
    });
    expect(count).toMatchObject({ actual: throttled, passed: true });
    const phases = evaluateThresholds(run, { 'phase_duration{scenario:jitr}': ['p(99)<60000'] });
    expect(phases.map((outcome) => outcome.metric)).toEqual(
      Object.keys(jitr.phases).map((phase) => `phase_duration{phase:${phase}}`),
    );
    const activate = LatencyHistogram.decode(jitr.phases.activate!.histogram).percentileMs(99);
    expect(phases.find((o) => o.metric.includes('activate'))!.actual).toBe(activate);
  });

  it('refuses thresholds that cannot apply, so a typo cannot pass silently', () => {
    expect(() => evaluateThresholds(run, { 'time_to_connected{scenario:nope}': ['p(95)<1'] })).toThrow(
      /matches no scenario.*pre-issued/,
    );
    expect(() => evaluateThresholds(run, { device_failures: ['p(95)<1'] })).toThrow(/is a rate; use rate/);
  });

  it('defaults to "every device provisioned" unless the run config carries thresholds', () => {
    expect(thresholdsForRun(run)).toEqual(DEFAULT_THRESHOLDS);
    const configured = { ...run, config: { ...run.config, thresholds: { devices_per_second: ['value>1'] } } };
    expect(thresholdsForRun(configured)).toEqual({ devices_per_second: ['value>1'] });
    expect(evaluateThresholds(run, DEFAULT_THRESHOLDS).every((outcome) => !outcome.passed)).toBe(true);
  });
});
