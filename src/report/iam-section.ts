import type { RunResult } from '../metrics/result-schema.js';
import { escapeMarkdownCell as cell, escapeMarkup as e } from './escape.js';
import { table } from './html-table.js';
import type { ReportModel } from './model.js';

/**
 * "Who must be granted which IAM policy", per pattern: the policies the scenarios declare per
 * actor (Scenario.iamPolicies), which the embedded run enforced with one IAM user per actor.
 */

const ACTOR_ROLES: Record<string, string> = {
  operator: 'operator: one-time setup and teardown (CA, policies, templates)',
  factory: 'factory line: per device, before shipping',
  activator: 'activator: the cloud function reacting to registrations (its Lambda role on AWS)',
  bootstrap: 'bootstrap service: provisions on the device’s behalf (the credentials its operator stores)',
};

function actorRole(actor: string): string {
  return ACTOR_ROLES[actor] ?? actor;
}

function policyText(document: unknown): string {
  return JSON.stringify(document, null, 2);
}

interface PatternPolicies {
  scenario: string;
  variant?: string | null;
  iamPolicies?: Record<string, unknown>;
}

/** The pattern as the policies are declared for it: `id`, or `id:variant` (each variant its own). */
function patternOf(entry: PatternPolicies): string {
  return entry.variant ? `${entry.scenario}:${entry.variant}` : entry.scenario;
}

/** One entry per pattern and variant (the first run that declares policies for it). */
function patternsWithPolicies<T extends PatternPolicies>(entries: readonly T[]): T[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const pattern = patternOf(entry);
    if (!entry.iamPolicies || Object.keys(entry.iamPolicies).length === 0 || seen.has(pattern)) return false;
    seen.add(pattern);
    return true;
  });
}

export function iamSection(model: ReportModel): string {
  const entries = patternsWithPolicies(model.entries);
  if (entries.length === 0) return '';
  const rows = entries.flatMap((entry) =>
    Object.entries(entry.iamPolicies ?? {}).map(([actor, document]) => [
      `<span class="pattern">${e(patternOf(entry))}</span>`,
      e(actorRole(actor)),
      `<pre>${e(policyText(document))}</pre>`,
    ]),
  );
  return `<section id="iam"><h2>IAM policies to grant, per pattern</h2>${table(
    ['Pattern', 'Granted to', 'IAM identity policy'],
    rows,
    'As each pattern declares them; an embedded run enforces them (one IAM user per actor holding exactly its policy). Actors not listed make no AWS IoT control-plane call.',
    [1, 2],
  )}</section>`;
}

export function iamMarkdown(result: RunResult): string[] {
  const scenarios = patternsWithPolicies(
    result.scenarios.map((scenario) => ({
      scenario: scenario.summary.scenario,
      variant: scenario.variant ?? null,
      iamPolicies: scenario.iamPolicies,
    })),
  );
  if (scenarios.length === 0) return [];
  const lines = ['', '### IAM policies to grant', '', '| Pattern | Granted to | Actions |', '|---|---|---|'];
  for (const entry of scenarios) {
    for (const [actor, document] of Object.entries(entry.iamPolicies ?? {})) {
      const actions = document.Statement.flatMap((statement) => [statement.Action].flat());
      lines.push(
        `| ${cell(patternOf(entry))} | ${cell(actorRole(actor))} | ${cell([...new Set(actions)].join(', '))} |`,
      );
    }
  }
  lines.push(
    '',
    'The full documents (with resources and conditions) are in result.json, `scenarios[].iamPolicies`.',
  );
  return lines;
}
