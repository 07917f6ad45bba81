import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Scenario } from '../contract/scenario.js';
import { ScenarioFacts } from '../metrics/result-schema.js';

/** The repository's scenarios/ folder (built-in patterns). */
export const BUILT_IN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios');

/** The order of docs/design.md, The patterns: the four the user asked for, then AWS's newer answers. */
const PREFERRED_ORDER = ['pre-issued', 'byo-ca', 'jitr', 'krypton', 'jitp', 'fleet-provisioning'];

export interface ScenarioRef {
  /** The id as given (built-in id, or the file's scenario id once loaded). */
  id: string;
  moduleUrl: string;
  variant: string | null;
}

export function listBuiltInScenarioIds(dir = BUILT_IN_DIR): string[] {
  if (!existsSync(dir)) return [];
  const ids = readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts' && !file.endsWith('.d.ts'))
    .map((file) => file.slice(0, -3));
  const rank = (id: string) => {
    const at = PREFERRED_ORDER.indexOf(id);
    return at === -1 ? PREFERRED_ORDER.length : at;
  };
  return ids.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Resolves `--scenario` (`id[:variant][,id...]`, `all`, or paths like `./my-pattern.ts`) to
 * module URLs. Paths are relative to `cwd`.
 */
export function resolveScenarios(spec: string, cwd = process.cwd(), dir = BUILT_IN_DIR): ScenarioRef[] {
  const items = spec
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error('--scenario is empty: give an id, a list, "all" or ./path.ts');
  const refs: ScenarioRef[] = [];
  for (const item of items) {
    if (item === 'all') {
      const ids = listBuiltInScenarioIds(dir);
      if (ids.length === 0) throw new Error(`no built-in scenarios found in ${dir}`);
      refs.push(
        ...ids.map((id) => ({ id, moduleUrl: pathToFileURL(join(dir, `${id}.ts`)).href, variant: null })),
      );
      continue;
    }
    const isPath = item.startsWith('.') || item.startsWith('/') || /\.(ts|mts|js|mjs)(:[\w-]+)?$/.test(item);
    const [name, variant] =
      isPath && !/\.(ts|mts|js|mjs):[\w-]+$/.test(item) ? [item, undefined] : splitVariant(item);
    if (isPath) {
      const file = resolve(cwd, name);
      if (!existsSync(file)) throw new Error(`scenario file ${file} does not exist`);
      refs.push({ id: file, moduleUrl: pathToFileURL(file).href, variant: variant ?? null });
      continue;
    }
    const file = join(dir, `${name}.ts`);
    if (!existsSync(file)) {
      const known = listBuiltInScenarioIds(dir);
      throw new Error(
        `unknown scenario "${name}"; built-in: ${known.join(', ') || '(none)'}, or pass ./path.ts`,
      );
    }
    refs.push({ id: name, moduleUrl: pathToFileURL(file).href, variant: variant ?? null });
  }
  return refs;
}

function splitVariant(item: string): [string, string | undefined] {
  const at = item.lastIndexOf(':');
  return at === -1 ? [item, undefined] : [item.slice(0, at), item.slice(at + 1)];
}

function isScenario(value: unknown): value is Scenario {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.id === 'string' &&
    typeof candidate.title === 'string' &&
    typeof candidate.prepare === 'function' &&
    typeof candidate.boot === 'function' &&
    typeof candidate.teardown === 'function'
  );
}

/** Imports a scenario module: its default export, or a named export `scenario`. */
export async function loadScenario(moduleUrl: string): Promise<Scenario> {
  const module = (await import(moduleUrl)) as Record<string, unknown>;
  const candidate = isScenario(module.default) ? module.default : module.scenario;
  if (!isScenario(candidate)) {
    throw new Error(
      `${moduleUrl} does not export a Scenario: default-export an object with id, title, facts, prepare, boot and teardown`,
    );
  }
  const facts = ScenarioFacts.safeParse(candidate.facts);
  if (!facts.success) {
    throw new Error(
      `scenario ${candidate.id}: facts are invalid (${facts.error.issues[0]?.path.join('.')}: ${facts.error.issues[0]?.message})`,
    );
  }
  return candidate;
}

/** Picks the variant: the one asked for (must be declared) or the scenario's first. */
export function selectVariant(scenario: Scenario, asked: string | null): string | null {
  if (asked === null) return scenario.variants?.[0] ?? null;
  if (!scenario.variants?.includes(asked)) {
    throw new Error(
      `scenario ${scenario.id} has no variant "${asked}"; variants: ${scenario.variants?.join(', ') || '(none)'}`,
    );
  }
  return asked;
}
