import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'bin/provbench.js');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Output so far. */
  readonly stdout: string;
  readonly stderr: string;
  finished: Promise<Finished>;
}

/** Starts `provbench <args>` from the repository root; killed after `limitMs` if still running. */
export function startProvbench(args: string[], env: NodeJS.ProcessEnv = {}, limitMs = 180_000): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const finished = new Promise<Finished>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolvePromise({ code, signal, stdout: output.stdout, stderr: output.stderr });
    });
  });
  return {
    child,
    get stdout() {
      return output.stdout;
    },
    get stderr() {
      return output.stderr;
    },
    finished,
  };
}

/** Runs `provbench <args>` to its end. */
export function provbench(args: string[], env: NodeJS.ProcessEnv = {}, limitMs?: number): Promise<Finished> {
  return startProvbench(args, env, limitMs).finished;
}

/** Resolves once `condition` holds (checked every 50 ms); rejects after `limitMs` naming `what`. */
export async function waitFor(condition: () => boolean, what: string, limitMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`waited ${limitMs} ms for ${what}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
}

/** Ledger lines a device worker (not the main thread) wrote: the device stage has begun. */
export function workerLedgerLines(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => /"key":"s\d+w\d+-/.test(line)).length;
}

/** Children of `pid` whose command line contains `needle`. */
export function childPids(pid: number, needle: string): number[] {
  const listing = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  return listing
    .split('\n')
    .filter((line) => line.includes(needle))
    .map((line) => Number.parseInt(line.trim(), 10));
}

/** False once `pid` has exited (a zombie nobody reaped counts as exited). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
