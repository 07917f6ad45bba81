import { describe, expect, it } from 'vitest';
import jitp from '../../scenarios/jitp.js';
import preIssued from '../../scenarios/pre-issued.js';
import { parseRunResult, type RunResult } from '../../src/metrics/result-schema.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { renderMarkdownSummary } from '../../src/report/markdown.js';
import { syntheticRun } from '../support/synthetic-run.js';

function withPolicies(run: RunResult): RunResult {
  const [first, ...rest] = run.scenarios;
  if (!first) throw new Error('synthetic run without scenarios');
  const iamPolicies = preIssued.iamPolicies?.({ runId: 'r1', variant: null });
  return parseRunResult(
    JSON.parse(JSON.stringify({ ...run, scenarios: [{ ...first, iamPolicies }, ...rest] })),
  );
}

describe('the report says which IAM policy to grant to whom, per pattern', () => {
  const plain = syntheticRun({ devices: 50 });
  const declared = withPolicies(plain);

  it('result.json keeps the declared policies through the schema', () => {
    expect(Object.keys(declared.scenarios[0]?.iamPolicies ?? {})).toEqual(['operator', 'factory']);
  });

  it('markdown: one row per actor with its actions', () => {
    const markdown = renderMarkdownSummary(declared);
    expect(markdown).toContain('### IAM policies to grant');
    const pattern = declared.scenarios[0]?.summary.scenario;
    expect(markdown).toContain(
      `| ${pattern} | factory line: per device, before shipping | iot:CreateKeysAndCertificate, iot:CreateThing, iot:AttachThingPrincipal, iot:AttachPolicy |`,
    );
    expect(renderMarkdownSummary(plain)).not.toContain('IAM policies');
  });

  it('html: a section with each actor and its full policy document', () => {
    const html = renderHtmlReport([declared]);
    expect(html).toContain('<section id="iam"><h2>IAM policies to grant, per pattern</h2>');
    expect(html).toContain('operator: one-time setup and teardown');
    // The document with its resources, escaped for HTML.
    expect(html).toContain('&quot;arn:aws:iot:*:*:thing/r1-*&quot;');
    expect(renderHtmlReport([plain])).not.toContain('id="iam"');
  });

  it('a pattern run in two variants: each variant its own rows, with its own actions', () => {
    const [first] = plain.scenarios;
    if (!first) throw new Error('synthetic run without scenarios');
    const variantRun = (variant: string) => ({
      ...first,
      summary: { ...first.summary, scenario: 'jitp' },
      variant,
      iamPolicies: jitp.iamPolicies?.({ runId: 'r1', variant }),
    });
    const run = parseRunResult(
      JSON.parse(
        JSON.stringify({ ...plain, scenarios: [variantRun('plain'), variantRun('role-alias-credentials')] }),
      ),
    );
    const operatorRow = (pattern: string) =>
      renderMarkdownSummary(run)
        .split('\n')
        .find((line) => line.startsWith(`| ${pattern} | operator`));
    expect(operatorRow('jitp:plain')).not.toContain('iot:CreateRoleAlias');
    expect(operatorRow('jitp:role-alias-credentials')).toContain('iot:CreateRoleAlias');
    expect(renderHtmlReport([run])).toContain('<span class="pattern">jitp:role-alias-credentials</span>');
  });
});
