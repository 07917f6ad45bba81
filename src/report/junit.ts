import type { RunResult } from '../metrics/result-schema.js';
import type { ThresholdOutcome } from '../metrics/thresholds.js';
import { escapeMarkup, stripInvalidXmlChars } from './escape.js';
import { formatDecimal } from './format.js';

/**
 * JUnit XML for CI test reporters: one testsuite per scenario, one testcase per threshold
 * checked against it, plus a "run complete" case that fails on a partial run.
 */
function xml(text: string): string {
  return escapeMarkup(stripInvalidXmlChars(text));
}

function describeActual(outcome: ThresholdOutcome): string {
  return `${formatDecimal(outcome.actual, 4)}${outcome.unit ? ` ${outcome.unit}` : ''}`;
}

export function renderJunit(result: RunResult, outcomes: readonly ThresholdOutcome[]): string {
  const suites = result.scenarios.map((scenario) => {
    const id = scenario.summary.scenario;
    const cases: string[] = [];
    const seconds = (scenario.durationMs / 1000).toFixed(3);
    cases.push(
      `    <testcase classname="provbench.${xml(id)}" name="run complete" time="${seconds}">${
        result.partial
          ? `\n      <failure type="partial" message="the run ended early; figures cover only the devices that ran">run ${xml(result.runId)} is partial</failure>\n    `
          : ''
      }</testcase>`,
    );
    for (const outcome of outcomes.filter((candidate) => candidate.scenario === id)) {
      const name = `${outcome.metric}: ${outcome.expression}`;
      const body = outcome.passed
        ? ''
        : `\n      <failure type="threshold" message="${xml(`${name} failed: actual ${describeActual(outcome)}`)}">${xml(`${name}\nactual: ${describeActual(outcome)}`)}</failure>\n    `;
      cases.push(
        `    <testcase classname="provbench.${xml(id)}" name="${xml(name)}" time="0">${body}</testcase>`,
      );
    }
    const failures = cases.filter((testcase) => testcase.includes('<failure')).length;
    const { requested, succeeded, failed } = scenario.summary.devices;
    const properties = [
      ['title', scenario.title],
      ['devices.requested', String(requested)],
      ['devices.succeeded', String(succeeded)],
      ['devices.failed', String(failed)],
      ['devicesPerSecond', formatDecimal(scenario.summary.devicesPerSecond, 3)],
      ['timeToConnectedMs.p50', String(scenario.summary.timeToConnectedMs.p50)],
      ['timeToConnectedMs.p99', String(scenario.summary.timeToConnectedMs.p99)],
    ]
      .map(([name, value]) => `      <property name="${xml(name!)}" value="${xml(value!)}"/>`)
      .join('\n');
    return `  <testsuite name="${xml(id)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${seconds}" timestamp="${xml(scenario.startedAt)}">
    <properties>
${properties}
    </properties>
${cases.join('\n')}
  </testsuite>`;
  });
  const tests = suites.reduce((sum, suite) => sum + (suite.match(/<testcase /g)?.length ?? 0), 0);
  const failures = suites.reduce((sum, suite) => sum + (suite.match(/<failure /g)?.length ?? 0), 0);
  const totalSeconds = result.scenarios.reduce((sum, scenario) => sum + scenario.durationMs, 0) / 1000;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="provbench ${xml(result.runId)}" tests="${tests}" failures="${failures}" errors="0" time="${totalSeconds.toFixed(3)}">
${suites.join('\n')}
</testsuites>
`;
}
