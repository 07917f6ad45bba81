import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { mergeRunResults } from '../../metrics/merge.js';
import { parseRunResult } from '../../metrics/result-schema.js';
import { priceRun } from '../../pricing/cost.js';
import { priceTableOf } from '../../pricing/overrides.js';
import { quotaTableOf } from '../account-options.js';

/** `provbench merge a.json b.json --out merged.json`: joins `--shard i/n` results into one. */
export function mergeCommand(): Command {
  return new Command('merge')
    .description('merge the result.json files of a sharded run (--shard i/n) into one result')
    .argument('<results...>', 'result.json files, one per shard')
    .requiredOption('--out <file>', 'merged result.json to write')
    .action((files: string[], options: { out: string }) => {
      const results = files.map((file) => {
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          throw new Error(`cannot read ${file}: ${(error as Error).message}`);
        }
        return parseRunResult(json, file);
      });
      // The shards' own quotas and prices, so the merged projection and costs match theirs.
      const first = results[0];
      const combined = mergeRunResults(results, first ? quotaTableOf(first.quotaOverrides ?? []) : undefined);
      const merged = first ? priceRun(combined, priceTableOf(first)) : combined;
      writeFileSync(options.out, `${JSON.stringify(merged, null, 2)}\n`);
      for (const scenario of merged.scenarios) {
        const s = scenario.summary;
        process.stdout.write(
          `${s.scenario}: ${s.devices.succeeded}/${s.devices.requested} connected, failed ${s.devices.failed}\n`,
        );
      }
      if (merged.partial) process.stdout.write('(partial: a shard is missing or was interrupted)\n');
      process.stdout.write(`merged: ${options.out}\n`);
    });
}
