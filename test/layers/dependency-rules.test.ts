import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const depcruise = join(repo, 'node_modules/.bin/depcruise');
const config = join(repo, '.dependency-cruiser.cjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** A throwaway tree with provbench's folder names, checked with the repository's rules. */
async function cruise(root: string, files: Record<string, string>): Promise<Violation[]> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const args = ['--config', config, '--output-type', 'json', 'src', 'scenarios'];
  const output = await run(depcruise, args, { cwd: root }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  return (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the layer rules of npm run deps', () => {
  let root: string;
  let violations: Violation[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'provbench-layers-'));
    violations = await cruise(root, {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
      }),
      // Allowed: every import points down.
      'src/contract/scenario.ts': 'export interface Scenario { id: string }\n',
      'src/pki/keys.ts': 'export const bits = 2048;\n',
      'src/targets/target.ts':
        "import type { Scenario } from '../contract/scenario.js';\nexport type Target = Scenario;\n",
      'src/engine/run.ts':
        "import type { Target } from '../targets/target.js';\nexport const run = (t: Target) => t.id;\n",
      'src/cli/main.ts': "import { run } from '../engine/run.js';\nexport const main = run;\n",
      'scenarios/good.ts':
        "import type { Scenario } from '../src/contract/scenario.js';\nexport const s: Scenario = { id: 'x' };\n",
      // Upward imports.
      'src/targets/upward.ts': "import { run } from '../engine/run.js';\nexport const up = run;\n",
      'src/emulator/upward.ts':
        "import type { Target } from '../targets/target.js';\nexport type T = Target;\n",
      'scenarios/upward.ts': "import { run } from '../src/engine/run.js';\nexport const up = run;\n",
      'src/engine/to-cli.ts': "import { main } from '../cli/main.js';\nexport const m = main;\n",
      'src/contract/leaning.ts': "import { bits } from '../pki/keys.js';\nexport const b = bits;\n",
      // A cycle made only of type imports.
      'src/emulator/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
      'src/emulator/b.ts': "import type { A } from './a.js';\nexport interface B { a?: A }\n",
    });
  }, 60_000);

  afterAll(() => rm(root, { recursive: true, force: true }));

  const broken = () => violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();

  it('lets imports that point down pass', () => {
    const froms = new Set(violations.map((v) => v.from));
    for (const clean of [
      'src/targets/target.ts',
      'src/engine/run.ts',
      'src/cli/main.ts',
      'scenarios/good.ts',
    ]) {
      expect(froms.has(clean), clean).toBe(false);
    }
  });

  it('fails every upward import and the type-only cycle, each under its rule', () => {
    expect(broken()).toEqual(
      expect.arrayContaining([
        'targets-below-scenarios: src/targets/upward.ts -> src/engine/run.ts',
        'emulator-stands-alone: src/emulator/upward.ts -> src/targets/target.ts',
        'scenarios-below-engine: scenarios/upward.ts -> src/engine/run.ts',
        'nothing-imports-cli: src/engine/to-cli.ts -> src/cli/main.ts',
        'contract-imports-nothing: src/contract/leaning.ts -> src/pki/keys.ts',
      ]),
    );
    const cycles = violations.filter((v) => v.rule.name === 'no-circular');
    expect(cycles).toHaveLength(1);
    expect([cycles[0]?.from, cycles[0]?.to].sort()).toEqual(['src/emulator/a.ts', 'src/emulator/b.ts']);
  });
});
