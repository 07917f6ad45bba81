import { Command, Option } from 'commander';
import { ApiCallCounter, instrumentIoTClient } from '../../engine/api-calls.js';
import { cleanupFromLedger } from '../../targets/cleanup.js';
import { createIoTClient, LOCAL_CREDENTIALS } from '../../targets/iot-client.js';
import { DEFAULT_LOCALSTACK_URL } from '../../targets/remote.js';

interface CleanupOptions {
  ledger: string;
  target: 'aws' | 'localstack';
  endpointUrl?: string;
  region?: string;
  concurrency: number;
}

/**
 * `provbench cleanup --ledger <file>`: deletes what a run recorded, in dependency order;
 * idempotent and resumable. The embedded emulator keeps its state in memory, so its
 * resources vanish with it; this command is for AWS and LocalStack (or any control plane at
 * --endpoint-url).
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
    .option('--concurrency <n>', 'deletions in flight', (value) => Number.parseInt(value, 10), 8)
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
        { maxAttempts: 8, counter: () => counter },
      );
      try {
        const report = await cleanupFromLedger(iot, options.ledger, { concurrency: options.concurrency });
        const deleted = Object.entries(report.deleted)
          .map(([kind, count]) => `${kind} ${count}`)
          .join(', ');
        process.stdout.write(`deleted: ${deleted || 'nothing left to delete'}\n`);
        if (report.failed.length > 0) {
          for (const failure of report.failed.slice(0, 10))
            process.stderr.write(`failed: ${failure.kind} (${failure.key}): ${failure.message}\n`);
          process.stderr.write(
            `${report.failed.length} resources remain; fix the cause and rerun the same command\n`,
          );
          process.exitCode = 1;
        }
      } finally {
        iot.destroy();
      }
    });
}
