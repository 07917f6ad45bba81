import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** README.md and every page under docs/, as one text. */
function documentation(): string {
  const pages = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, 'docs', name));
  return [join(ROOT, 'README.md'), ...pages].map((file) => readFileSync(file, 'utf8')).join('\n');
}

/** `provbench <command...> --flag` for every long option of every command, help excepted. */
function commandFlags(command: Command, path: string[] = []): Array<{ command: string; flag: string }> {
  const own = command.options
    .map((option) => option.long)
    .filter((flag): flag is string => flag !== undefined && flag !== '--help')
    .map((flag) => ({ command: ['provbench', ...path].join(' '), flag }));
  return [...own, ...command.commands.flatMap((sub) => commandFlags(sub, [...path, sub.name()]))];
}

describe('command-line documentation', () => {
  it('every flag of every provbench command appears in README.md or docs/', async () => {
    const program = await buildProgram();
    const flags = commandFlags(program);
    expect(flags.length).toBeGreaterThan(50);
    // Flags are letters, digits and hyphens only, so each is its own regular expression.
    expect(flags.filter(({ flag }) => !/^--[a-z0-9-]+$/.test(flag))).toEqual([]);
    const text = documentation();
    const undocumented = flags
      .filter(({ flag }) => !new RegExp(`${flag}(?![\\w-])`).test(text))
      .map(({ command, flag }) => `${command} ${flag}`);
    expect(undocumented).toEqual([]);
  });
});
