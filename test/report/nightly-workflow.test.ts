import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/main.js';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
}

/** Every `node bin/provbench.js <command> ...` invocation in a step's shell script. */
function invocations(script: string): { command: string; flags: string[] }[] {
  const joined = script.replace(/\\\n/g, ' ').replace(/\n(?=\s*--)/g, ' ');
  return [...joined.matchAll(/node bin\/provbench\.js (\w+)([^\n]*)/g)].map((match) => ({
    command: match[1]!,
    flags: [...match[2]!.matchAll(/(--[a-z][a-z-]*)/g)].map((flag) => flag[1]!),
  }));
}

describe('nightly workflow', () => {
  it('gates with ci --history, publishes the trend page, and every provbench flag it uses exists', async () => {
    const workflow = parse(await readFile('.github/workflows/nightly.yml', 'utf8')) as {
      jobs: { benchmark: { steps: Step[] } };
    };
    const steps = workflow.jobs.benchmark.steps;
    const calls = steps.flatMap((step) => invocations(step.run ?? ''));
    expect(calls.map((call) => call.command)).toEqual(['run', 'ci', 'trend']);
    expect(calls.find((call) => call.command === 'ci')!.flags).toContain('--history');
    for (const call of calls) {
      const program = await buildProgram(call.command);
      const command = program.commands.find((candidate) => candidate.name() === call.command)!;
      const known = command.options.map((option) => option.long);
      for (const flag of call.flags) expect(known, `${call.command} ${flag}`).toContain(flag);
    }
    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with!.path).toContain('trend.html');
    const save = steps.find((step) => step.uses?.startsWith('actions/cache/save'))!;
    expect(save.with!.path).toContain('env.HISTORY_DIR');
  });
});
