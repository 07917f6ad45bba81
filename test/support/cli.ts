import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/provbench.js');

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ProvbenchOptions {
  /** Killed after this long (a generous bound; default 120 s). */
  limitMs?: number;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Called with the child's pid once it is spawned (e.g. to signal it). */
  onSpawn?: (pid: number) => void;
}

/** Runs `provbench <args>` as a child process in the repository's root. */
export function provbench(args: string[], options: ProvbenchOptions = {}): Promise<Finished> {
  const { limitMs = 120_000, env = {}, onSpawn } = options;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolvePromise({ code, stdout, stderr });
    });
    if (child.pid) onSpawn?.(child.pid);
  });
}
