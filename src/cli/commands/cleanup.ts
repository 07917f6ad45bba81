import { Command, Option } from 'commander';
import { ApiCallCounter, instrumentIoTClient } from '../../engine/api-calls.js';
import { pacerShareFor, QuotaPacer } from '../../quotas/quota-pacer.js';
import { cleanupFromLedger, resourcesMayRemain } from '../../targets/cleanup.js';
import { createIoTClient, LOCAL_CREDENTIALS } from '../../targets/iot-client.js';
import { LedgerFileError } from '../../targets/ledger.js';
import { DEFAULT_LOCALSTACK_URL } from '../../targets/remote.js';
import { loadQuotas } from '../account-options.js';

interface CleanupOptions {
  ledger: string;
  target: 'aws' | 'localstack';
  endpointUrl?: string;
  region?: string;
  concurrency: number;
  includeUnattributed?: boolean;
  quotaFile?: string;
}

/** Exit codes: 0 nothing of the run remains, 1 resources may remain (listed), 2 bad input. */
export const CLEANUP_EXIT = { clean: 0, mayRemain: 1, badInput: 2 } as const;

/**
 * `provbench cleanup --ledger <file>`: deletes what a run recorded, in dependency order;
 * idempotent and resumable. The embedded emulator keeps its state in memory, so its
 * resources vanish with it; this command is for AWS and LocalStack (or any control plane at
 * --endpoint-url, such as `provbench emulator`). Exits 1 when anything may remain: failures,
 * and certificates it cannot attribute to the run for certain (listed on stdout).
 */
export function cleanupCommand(): Command {
  return new Command('cleanup')
    .description('delete the resources a run recorded in its ledger (dependency order, safe to rerun)')
    .requiredOption('--ledger <file>', 'ledger.jsonl written by provbench run')
    .addOption(
      new Option('--target <name>', 'where the resources are').choices(['aws', 'localstack']).default('aws'),
    )
    .option('--endpoint-url <url>', 'control-plane URL (localstack, moto, a running emulator)')
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option(
      '--quota-file <file>',
      "the account's own quotas (as for run); deletions are paced to them, AWS's defaults without it",
    )
    .option('--concurrency <n>', 'deletions in flight', (value) => Number.parseInt(value, 10), 8)
    .option(
      '--include-unattributed',
      "also delete certificates created in the run's time window that nothing claims (only on an account no one else provisions in)",
    )
    .action(async (options: CleanupOptions) => {
      const region =
        options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
      const local = options.target === 'localstack' || options.endpointUrl !== undefined;
      const counter = new ApiCallCounter();
      const iot = instrumentIoTClient(
        createIoTClient({
          region,
          endpoint: options.endpointUrl ?? (options.target === 'localstack' ? DEFAULT_LOCALSTACK_URL : null),
          credentials: local ? { ...LOCAL_CREDENTIALS } : null,
          requestTimeoutMs: 30_000,
        }),
        {
          maxAttempts: 8,
          counter: () => counter,
          pacer: new QuotaPacer(pacerShareFor(await loadQuotas(options.quotaFile))),
        },
      );
      try {
        const report = await cleanupFromLedger(iot, options.ledger, {
          concurrency: options.concurrency,
          includeUnattributed: options.includeUnattributed ?? false,
        }).catch((error: unknown) => {
          if (!(error instanceof LedgerFileError)) throw error;
          process.stderr.write(`provbench cleanup: ${error.message}\n`);
          return null;
        });
        if (report === null) {
          process.exitCode = CLEANUP_EXIT.badInput;
          return;
        }
        const deleted = Object.entries(report.deleted)
          .map(([kind, count]) => `${kind} ${count}`)
          .join(', ');
        process.stdout.write(`deleted: ${deleted || 'nothing left to delete'}\n`);
        for (const resource of report.unattributed)
          process.stdout.write(`unattributed: ${resource.kind} ${resource.id}: ${resource.why}\n`);
        for (const failure of report.failed.slice(0, 10))
          process.stderr.write(`failed: ${failure.kind} (${failure.key}): ${failure.message}\n`);
        if (report.failed.length > 0) {
          process.stderr.write(
            `${report.failed.length} resources remain; fix the cause and rerun the same command\n`,
          );
        }
        if (report.unattributed.length > 0) {
          process.stderr.write(
            `${report.unattributed.length} certificates created in the run's time window may be the run's (a creation in flight at a crash) or another's; check them, or rerun with --include-unattributed on an account no one else provisions in\n`,
          );
        }
        process.exitCode = resourcesMayRemain(report) ? CLEANUP_EXIT.mayRemain : CLEANUP_EXIT.clean;
      } finally {
        iot.destroy();
      }
    });
}
