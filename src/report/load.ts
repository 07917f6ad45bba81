import { readFile } from 'node:fs/promises';
import { parseRunResult, type RunResult } from '../metrics/result-schema.js';

/** Reads and validates a result.json, with errors that say which file and what to do. */
export async function readResultFile(path: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass the result.json a run wrote (provbench run --out DIR writes DIR/result.json)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${path} is not JSON (${(error as Error).message}); was the run interrupted while writing it?`,
    );
  }
  return parseRunResult(json, path);
}

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} ${path} is not JSON (${(error as Error).message})`);
  }
}
