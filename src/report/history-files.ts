import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { type DataPerDevice, type HistoryRun, patternKey } from '../metrics/history-figures.js';
import { parseRunResult } from '../metrics/result-schema.js';

/**
 * Finds and reads the result.json files of a history (`provbench trend`, `ci --history`):
 * files named directly, or every result.json under a directory, sorted by start time.
 */
export const RESULT_FILE_NAME = 'result.json';

/** Per-scenario traffic, when a run counted it (`traffic.device.bytesSent.mean`, bytes). */
const ScenarioTraffic = z.object({
  traffic: z.object({
    device: z.object({
      bytesSent: z.object({ mean: z.number() }).optional(),
      bytesReceived: z.object({ mean: z.number() }).optional(),
    }),
  }),
});

export interface SkippedFile {
  source: string;
  reason: string;
}

export interface LoadedHistory {
  /** Oldest first. */
  runs: HistoryRun[];
  /** Files left out: shards, duplicates, and (with skipInvalid) unreadable or wrong-schema files. */
  skipped: SkippedFile[];
}

async function filesUnder(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new Error(
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass result.json files or a directory holding them`,
    );
  }
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true });
  return entries
    .filter((entry) => basename(entry) === RESULT_FILE_NAME)
    .map((entry) => join(path, entry))
    .sort();
}

/** Reads one result.json with its traffic figures; throws an error naming the file. */
export async function readHistoryRun(source: string): Promise<HistoryRun> {
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON (${(error as Error).message})`);
  }
  const run = parseRunResult(raw, source);
  const traffic = new Map<string, DataPerDevice>();
  const rawScenarios = (raw as { scenarios: unknown[] }).scenarios;
  run.scenarios.forEach((scenario, index) => {
    const parsed = ScenarioTraffic.safeParse(rawScenarios[index]);
    if (!parsed.success) return;
    const device = parsed.data.traffic.device;
    traffic.set(patternKey(scenario), { sent: device.bytesSent?.mean, received: device.bytesReceived?.mean });
  });
  return { run, source, dataPerDevice: traffic };
}

/**
 * Loads every result.json under `paths` (none under an existing directory: an empty history). Unreadable or wrong-schema files fail the whole load
 * with one error naming each, unless `skipInvalid` (then they are listed in `skipped`). Shard
 * results (merge them first) and second copies of a run are always skipped.
 */
export async function loadHistory(
  paths: readonly string[],
  options: { skipInvalid?: boolean } = {},
): Promise<LoadedHistory> {
  const files = [...new Set((await Promise.all(paths.map(filesUnder))).flat())];
  const skipped: SkippedFile[] = [];
  const invalid: SkippedFile[] = [];
  const runs: HistoryRun[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let entry: HistoryRun;
    try {
      entry = await readHistoryRun(file);
    } catch (error) {
      invalid.push({ source: file, reason: (error as Error).message });
      continue;
    }
    const { run } = entry;
    if (run.shard) {
      skipped.push({
        source: file,
        reason: `shard ${run.shard.index + 1}/${run.shard.count} of run ${run.runId}: merge the shards (provbench merge) and keep the merged result`,
      });
      continue;
    }
    const identity = `${run.runId}@${run.startedAt}`;
    const first = seen.get(identity);
    if (first) {
      skipped.push({ source: file, reason: `a copy of run ${run.runId} (also in ${first})` });
      continue;
    }
    seen.set(identity, file);
    runs.push(entry);
  }
  if (invalid.length && !options.skipInvalid) {
    throw new Error(
      `${invalid.length} file(s) cannot be used (pass --skip-invalid to leave them out):\n${invalid.map((file) => `  ${file.reason}`).join('\n')}`,
    );
  }
  skipped.push(...invalid);
  const time = (entry: HistoryRun) => Date.parse(entry.run.startedAt) || 0;
  runs.sort((a, b) => time(a) - time(b) || a.run.runId.localeCompare(b.run.runId));
  return { runs, skipped };
}
