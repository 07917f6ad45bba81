import { type Command, InvalidArgumentError, Option } from 'commander';
import type { KeyType } from '../../contract/scenario.js';
import { parseDurationMs } from '../../engine/load-model.js';
import type { Shard } from '../../engine/run.js';
import { DEFAULT_PROFILE } from '../../network/builtin-profiles.js';
import type { AccountOptions } from '../account-options.js';
import type { MetricsOptions } from '../metrics-options.js';
import { positiveInteger, positiveNumber } from '../options.js';
import type { ProgressMode } from '../progress.js';
import { parseMqttEndpoint } from '../run-target.js';

/* `provbench run`'s flags and their parsing; the command and its action are in run.ts. */

/** `--shard i/n` with 1 <= i <= n (1-based on the command line, 0-based inside). */
export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError('expected i/n with 1 <= i <= n, e.g. 2/4');
  }
  return { index: index - 1, count };
}

export function duration(value: string): number {
  try {
    return parseDurationMs(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function runIdOption(value: string): string {
  // It prefixes thing names and MQTT client ids, which allow [a-zA-Z0-9:_-] up to 128 characters.
  if (!/^[A-Za-z0-9_-]{1,48}$/.test(value))
    throw new InvalidArgumentError('use 1-48 letters, digits, - or _');
  return value;
}

export interface RunOptions extends AccountOptions, MetricsOptions {
  /** Required unless `resume`. */
  scenario?: string;
  devices: number;
  rate?: number;
  concurrency?: number;
  ramp?: string;
  target: 'embedded' | 'localstack' | 'aws';
  quotas: 'aws' | 'none';
  /** Absent (a run file from before --pacing): quota. */
  pacing?: 'quota' | 'off';
  out?: string;
  seed: number;
  shard?: Shard;
  keyType: KeyType;
  keepResources?: boolean;
  progress?: ProgressMode;
  yes?: boolean;
  maxDevices?: number;
  dryRun?: boolean;
  timeout: number;
  workers?: number;
  maxAttempts: number;
  runId?: string;
  endpointUrl?: string;
  region?: string;
  rootCa?: string;
  kryptonUrl?: string;
  mqttEndpoint?: { host: string; port: number };
  readyFile?: string;
  thresholds?: string;
  network?: string;
  /** A run dir to continue (docs/running.md "Resuming a run"). */
  resume?: string;
}

/** Adds `provbench run`'s own flags (the account's are in account-options.ts). */
export function addRunOptions(command: Command): Command {
  return command
    .option(
      '--scenario <ids>',
      'id[:variant][,id...], "all", or ./path/to/scenario.ts (required unless --resume)',
    )
    .option('--devices <n>', 'devices per scenario (whole run, all shards)', positiveInteger, 200)
    .option('--rate <per-second>', 'open model: devices arriving per second', positiveNumber)
    .option('--concurrency <n>', 'closed model: devices in flight (default 32)', positiveInteger)
    .option('--ramp <stages>', 'open model, ramping rate: START,TARGET:DURATION[,...] e.g. 1,50:30s,50:1m')
    .addOption(
      new Option('--target <name>', 'where AWS IoT is')
        .choices(['embedded', 'localstack', 'aws'])
        .default('embedded'),
    )
    .addOption(
      new Option('--quotas <table>', "AWS's default quotas or none").choices(['aws', 'none']).default('aws'),
    )
    .addOption(
      new Option(
        '--pacing <mode>',
        'quota: factory and operator calls keep within the quota table (--quotas aws, --quota-file) as a real factory would; off: they go as fast as they are made and are throttled',
      )
        .choices(['quota', 'off'])
        .default('quota'),
    )
    .option('--out <dir>', 'write result.json and index.html here (default reports/<run-id>/)')
    .option(
      '--seed <n>',
      'fleet seed: the same seed gives the same SIMs',
      (value) => Number.parseInt(value, 10),
      1,
    )
    .option('--shard <i/n>', 'run the i-th of n parts (merge with provbench merge)', parseShard)
    .addOption(
      new Option('--key-type <type>', 'device keys: rsa (what AWS issues) or ec (faster)')
        .choices(['rsa', 'ec'])
        .default('rsa'),
    )
    .option(
      '--thresholds <file>',
      'k6-style thresholds JSON the run must meet, else it exits 99 (default: every device provisioned, {"device_failures": ["rate==0"]})',
    )
    .option('--keep-resources', 'do not delete what the run created (the ledger lists it)')
    .option('--yes', 'allow creating resources on a real AWS account')
    .option('--max-devices <n>', 'upper bound on devices for --target aws', positiveInteger)
    .option('--dry-run', 'print the plan (API calls, projected time under quotas) and create nothing')
    .option('--timeout <duration>', 'per device budget, e.g. 60s', duration, 60_000)
    .option('--workers <n>', 'worker threads (default: CPU cores)', positiveInteger)
    .option(
      '--max-attempts <n>',
      'attempts per API call including retries (the per-device --timeout bounds them too)',
      positiveInteger,
      16,
    )
    .option('--run-id <id>', 'run id (give shards the same one): letters, digits, - and _', runIdOption)
    .option(
      '--endpoint-url <url>',
      'localstack: control-plane URL (default LOCALSTACK_ENDPOINT or http://localhost.localstack.cloud:4566)',
    )
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option(
      '--root-ca <file>',
      "localstack: the CA bundle devices trust (default: LocalStack's served root CA)",
    )
    .option('--krypton-url <url>', 'bootstrap API for non-embedded targets')
    .option(
      '--mqtt-endpoint <host[:port]>',
      "remote targets: where devices connect for MQTT (port 8883 unless given), instead of DescribeEndpoint's answer",
      parseMqttEndpoint,
    )
    .option(
      '--ready-file <file>',
      'run against a standalone provbench emulator: control plane, MQTT, Krypton and root CA from the ready file it wrote',
    )
    .option(
      '--network <name|file.json>',
      "devices' field link: none, wifi, lte, lte-m, nb-iot, or a profile file (docs/field-conditions.md)",
      DEFAULT_PROFILE,
    )
    .addOption(
      new Option(
        '--progress <mode>',
        'bar (terminal), lines (a line every 10 s), off; auto: bar on a TTY, else lines',
      )
        .choices(['auto', 'bar', 'lines', 'off'])
        .default('auto'),
    )
    .option(
      '--resume <dir>',
      'continue the interrupted run in this run dir: same run id, scenarios, devices, seed and settings; devices it finished are not run again',
    );
}
