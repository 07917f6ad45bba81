import type { RunResult } from '../metrics/result-schema.js';
import { failureRate } from '../metrics/summary.js';
import type { ThresholdOutcome } from '../metrics/thresholds.js';
import { escapeMarkdownCell as cell } from './escape.js';
import {
  formatBytes,
  formatCount,
  formatDecimal,
  formatDuration,
  formatFleetSize,
  formatMs,
  formatPercent,
  formatRate,
  formatUsd,
} from './format.js';
import { iamMarkdown } from './iam-section.js';

/** A markdown summary of one run, for a CI step summary ($GITHUB_STEP_SUMMARY) or a PR comment. */
export function renderMarkdownSummary(result: RunResult, outcomes: readonly ThresholdOutcome[] = []): string {
  const lines: string[] = [];
  lines.push(`## provbench run \`${result.runId}\``);
  lines.push('');
  lines.push(
    `Target **${cell(result.environment.target)}**, network profile **${cell(result.network?.profile ?? 'not recorded')}**, prices: ${cell(result.pricing?.name ?? 'none')}, started ${result.startedAt}, ${result.scenarios.length} scenario(s)${result.partial ? ', **partial: the run ended early**' : ''}${result.resumed ? `, **resumed ${result.resumed.times}x** (${result.resumed.rerunDevices} devices cut off mid-way run again)` : ''}.`,
  );
  if (result.keySupply?.note) lines.push('', `> ${result.keySupply.note}`);
  lines.push('');
  lines.push(
    '| Pattern | Succeeded | Failed | Failure rate | Devices/s | Connected p50 | p90 | p99 | max | Data/device | Cost/device | API calls/device | Largest fleet under quotas |',
  );
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|');
  for (const scenario of result.scenarios) {
    const { succeeded, failed } = scenario.summary.devices;
    const ttc = scenario.summary.timeToConnectedMs;
    const ms = (value: number) => (succeeded === 0 ? '–' : formatMs(value));
    const largest = scenario.projection.fleets.at(-1);
    const projection =
      largest && scenario.projection.bottleneckApi
        ? `${formatFleetSize(largest.devices)}: ${formatDuration(largest.seconds)} (${cell(scenario.projection.bottleneckApi)})`
        : '–';
    const traffic = scenario.traffic?.device;
    const data = traffic ? formatBytes(traffic.bytesSent.mean + traffic.bytesReceived.mean) : '–';
    const cost = scenario.cost ? formatUsd(scenario.cost.perDevice) : '–';
    lines.push(
      `| ${cell(scenario.summary.scenario)} | ${formatCount(succeeded)} | ${formatCount(failed)} | ${formatPercent(failureRate(scenario.summary))} | ${formatRate(scenario.summary.devicesPerSecond)} | ${ms(ttc.p50)} | ${ms(ttc.p90)} | ${ms(ttc.p99)} | ${ms(ttc.max)} | ${data} | ${cost} | ${formatDecimal(scenario.apiCallsPerDevice)} | ${projection} |`,
    );
  }
  if (outcomes.length) {
    const failedCount = outcomes.filter((outcome) => !outcome.passed).length;
    lines.push('');
    lines.push(
      `### Thresholds: ${failedCount === 0 ? 'all passed' : `${failedCount} of ${outcomes.length} failed`}`,
    );
    lines.push('');
    lines.push('| | Pattern | Metric | Threshold | Actual |');
    lines.push('|---|---|---|---|--:|');
    for (const outcome of outcomes) {
      lines.push(
        `| ${outcome.passed ? '✅' : '❌'} | ${cell(outcome.scenario)} | \`${cell(outcome.metric)}\` | \`${cell(outcome.expression)}\` | ${formatDecimal(outcome.actual, 4)}${outcome.unit ? ` ${cell(outcome.unit)}` : ''} |`,
      );
    }
  }
  const errorLines = result.scenarios.flatMap((scenario) =>
    scenario.errors.map(
      (record) =>
        `| ${cell(scenario.summary.scenario)} | ${cell(record.phase)} | ${cell(record.errorClass)} | ${formatCount(record.count)} | ${cell(record.sample.slice(0, 160))} |`,
    ),
  );
  if (errorLines.length) {
    lines.push('');
    lines.push('### Errors');
    lines.push('');
    lines.push('| Pattern | Phase | Class | Count | Example |');
    lines.push('|---|---|---|--:|---|');
    lines.push(...errorLines);
  }
  lines.push(...iamMarkdown(result));
  lines.push('');
  return lines.join('\n');
}
