import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { writeAtomically } from '../engine/resume-state.js';
import type { ScenarioRef } from '../engine/scenario-loader.js';
import { BUILTIN_PROFILES } from '../network/builtin-profiles.js';
import type { RunOptions } from './commands/run-options.js';
import { UsageError } from './options.js';

/**
 * run.json: how a run was started, written (atomically, mode 0600) into its run dir before
 * the target starts and any device runs, so `provbench run --resume <dir>` restores the same
 * run: run id, scenarios, devices, seed, target, quotas, load model and every other setting.
 */
export const RUN_FILE = 'run.json';

const RunFileSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  /** When the first attempt started (ISO 8601). */
  startedAt: z.string(),
  /** Attempts so far: 1 for the first, +1 for each resume. */
  attempts: z.number().int().positive(),
  /** Process id of the latest attempt: a resume refuses while it still runs. */
  pid: z.number().int().optional(),
  targetGiven: z.boolean(),
  scenarios: z.array(z.object({ id: z.string(), moduleUrl: z.string(), variant: z.string().nullable() })),
  /** The run's options as given, file paths made absolute. */
  options: z.record(z.string(), z.unknown()),
});
export type RunFile = z.infer<typeof RunFileSchema>;

/** Flags that may come with --resume: they change how the run is shown, not what it does. */
const HARMLESS_WITH_RESUME = new Set(['resume', 'progress', 'metricsPort', 'metricsHost', 'metricsLinger']);

/** Options that name files: kept absolute, so a resume from another directory finds them. */
const FILE_OPTIONS = [
  'thresholds',
  'readyFile',
  'rootCa',
  'quotaFile',
  'latencyModel',
  'faults',
  'pricing',
  'out',
] as const;

/** What of `options` a resume restores: the flags as given, paths absolute, one-off flags dropped. */
export function persistedOptions(options: RunOptions): Record<string, unknown> {
  const {
    resume: _resume,
    progress: _progress,
    dryRun: _dryRun,
    metricsPort: _metricsPort,
    metricsHost: _metricsHost,
    metricsLinger: _metricsLinger,
    ...kept
  } = options;
  const persisted: Record<string, unknown> = { ...kept };
  for (const name of FILE_OPTIONS) {
    const value = options[name];
    if (typeof value === 'string') persisted[name] = resolve(value);
  }
  if (options.network && !(options.network in BUILTIN_PROFILES)) persisted.network = resolve(options.network);
  return persisted;
}

export function newRunFile(
  runId: string,
  options: RunOptions,
  scenarios: ScenarioRef[],
  targetGiven: boolean,
): RunFile {
  return {
    version: 1,
    runId,
    startedAt: new Date().toISOString(),
    attempts: 1,
    pid: process.pid,
    targetGiven,
    scenarios: scenarios.map(({ id, moduleUrl, variant }) => ({ id, moduleUrl, variant })),
    options: persistedOptions(options),
  };
}

export function writeRunFile(dir: string, file: RunFile): void {
  writeAtomically(join(dir, RUN_FILE), `${JSON.stringify(file, null, 2)}\n`);
}

/** A run `--resume` continues: its dir, how it was started, and the options to run it with. */
export interface ResumedRun {
  dir: string;
  file: RunFile;
  options: RunOptions;
}

/**
 * Checks `provbench run --resume <dir>` and restores the run: bad input (UsageError, exit 2)
 * when flags other than --progress come with it, when the dir holds no run.json, or when the
 * run finished (its result.json is complete: nothing to resume).
 */
export function resumeRun(options: RunOptions, command: Command): ResumedRun {
  const dir = resolve(options.resume as string);
  const given = command.options
    .map((option) => option.attributeName())
    .filter((name) => command.getOptionValueSource(name) === 'cli' && !HARMLESS_WITH_RESUME.has(name));
  if (given.length > 0) {
    const flags = given.map((name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new UsageError(
      `--resume continues the run as it was started: drop ${flags.join(', ')} (only --progress and the --metrics-* flags may come with --resume)`,
    );
  }
  const file = readRunFile(dir);
  if (file.pid !== undefined && file.pid !== process.pid && isRunning(file.pid)) {
    throw new UsageError(
      `run ${file.runId} in ${dir} is still running (process ${file.pid}): stop it first (Ctrl-C), then resume`,
    );
  }
  const result = join(dir, 'result.json');
  if (existsSync(result) && !isPartial(result)) {
    throw new UsageError(
      `run ${file.runId} in ${dir} finished (its result.json is complete): nothing to resume`,
    );
  }
  const restored = {
    ...file.options,
    progress: options.progress,
    metricsPort: options.metricsPort,
    metricsHost: options.metricsHost,
    metricsLinger: options.metricsLinger,
  } as RunOptions;
  return { dir, file, options: restored };
}

function readRunFile(dir: string): RunFile {
  const path = join(dir, RUN_FILE);
  if (!existsSync(path)) {
    throw new UsageError(
      `${dir} holds no ${RUN_FILE}: --resume takes the run dir of a run provbench run started (its --out, or reports/<run-id>/)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path} is not JSON (${(error as Error).message})`);
  }
  const parsed = RunFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${path} is not a run file (${issue?.path.join('.')}: ${issue?.message})`);
  }
  return parsed.data;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPartial(resultPath: string): boolean {
  try {
    return (JSON.parse(readFileSync(resultPath, 'utf8')) as { partial?: unknown }).partial !== false;
  } catch {
    // Half-written (a crash while writing it): the run did not finish.
    return true;
  }
}
