import { describe, expect, it } from 'vitest';
import { evaluateThresholds } from '../../src/metrics/thresholds.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdownSummary } from '../../src/report/markdown.js';
import { syntheticRun } from '../support/synthetic-run.js';

describe('JUnit and markdown summaries', () => {
  const run = syntheticRun({ devices: 500, failureFraction: 0.02, seed: 13 });
  const failuresTotal = run.scenarios.reduce((sum, scenario) => sum + scenario.summary.devices.failed, 0);
  const outcomes = evaluateThresholds(run, {
    device_failures: ['rate<0.5', 'rate==0'],
    'time_to_connected{scenario:jitr}': ['p(99)<60000'],
  });

  it('writes one testsuite per scenario and one testcase per threshold, failures marked', () => {
    expect(failuresTotal).toBeGreaterThan(0);
    const xml = renderJunit(run, outcomes);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml.match(/<testsuite /g)).toHaveLength(run.scenarios.length);
    const failedOutcomes = outcomes.filter((outcome) => !outcome.passed).length;
    expect(xml.match(/<failure /g)).toHaveLength(failedOutcomes);
    expect(xml.match(/<testcase /g)).toHaveLength(outcomes.length + run.scenarios.length);
    expect(xml).toContain(`tests="${outcomes.length + run.scenarios.length}" failures="${failedOutcomes}"`);
    expect(xml).toContain('name="device_failures: rate&lt;0.5"');
    expect(xml).toContain('value="Krypton SIM bootstrap &lt;cellular&gt;"');
  });

  it('quotes what limited the key supply, when key generation did', () => {
    const note =
      'key stock ran out after 132 keys (100 from /k/rsa-2048): RSA-2048 key generation limited CreateKeysAndCertificate to 4.8/s, below the 10/s quota for the other 68 keys';
    const keySupply = {
      algorithm: 'rsa-2048' as const,
      stockDir: '/k/rsa-2048',
      fromReady: 32,
      fromStock: 100,
      generated: 68,
      ranOutAfter: 132,
      generatedPerSecond: 4.8,
    };
    expect(renderMarkdownSummary({ ...run, keySupply: { ...keySupply, note } })).toContain(`\n> ${note}\n`);
    expect(renderMarkdownSummary({ ...run, keySupply: { ...keySupply, note: null } })).not.toContain(
      'key stock',
    );
  });

  it('marks a partial run as a failure', () => {
    const xml = renderJunit({ ...run, partial: true }, []);
    expect(xml.match(/<failure type="partial"/g)).toHaveLength(run.scenarios.length);
  });

  it('summarises the run in markdown with one row per scenario and the threshold verdicts', () => {
    const markdown = renderMarkdownSummary(run, outcomes);
    for (const scenario of run.scenarios) {
      expect(markdown).toMatch(
        new RegExp(
          `^\\| ${scenario.summary.scenario} \\| ${scenario.summary.devices.succeeded.toLocaleString('en-US')} \\|`,
          'm',
        ),
      );
    }
    const failed = outcomes.filter((outcome) => !outcome.passed).length;
    expect(markdown).toContain(`### Thresholds: ${failed} of ${outcomes.length} failed`);
    expect(markdown.match(/^\| ❌ /gm)).toHaveLength(failed);
    expect(markdown).toContain('### Errors');
    expect(markdown).toContain('throttled in publish <generated> & "quoted"');
  });
});
