import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';

/** Exit code for input that cannot be used (options, files given): the user has to fix it. */
export const EXIT_BAD_INPUT = 2;

/** Input that cannot be used: `provbench` prints the message and exits with EXIT_BAD_INPUT. */
export class UsageError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The project root: where package.json and the default reports/ directory live. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Commander option parser: a whole number of at least 1. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

/** Commander option parser: a finite number above 0. */
export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a number above 0');
  return parsed;
}

/** provbench's version from package.json, for the environment block of result.json. */
export function packageVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ??
      '0.0.0'
    );
  } catch {
    return '0.0.0';
  }
}

/**
 * The source commit of this checkout, for result.json: PROVBENCH_COMMIT when set (CI builds from
 * an archive, say), else `git rev-parse HEAD` when provbench runs from its own git checkout
 * (not from a package installed inside some other repository); undefined otherwise.
 */
export function sourceCommit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.PROVBENCH_COMMIT?.trim();
  if (fromEnv) return fromEnv;
  const git = (args: string[]) => {
    const probe = spawnSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8', timeout: 5000 });
    return probe.status === 0 ? probe.stdout.trim() : undefined;
  };
  const top = git(['rev-parse', '--show-toplevel']);
  if (top === undefined || resolve(top) !== REPO_ROOT) return undefined;
  return git(['rev-parse', 'HEAD']);
}
