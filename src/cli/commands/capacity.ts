import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { CAPACITY_SCENARIO_ID } from '../../capacity/capacity-result.js';
import { runCapacity } from '../../capacity/run-capacity.js';
import type { NetworkProfile } from '../../network/profile.js';
import { liveLoadObserver } from '../capacity-live.js';
import { addMetricsOptions, type MetricsOptions, startLiveMetrics } from '../metrics-options.js';
import { networkOption } from '../network-option.js';
import { packageVersion, positiveInteger, positiveNumber, REPO_ROOT, sourceCommit } from '../options.js';
import { newRunId } from './run.js';

interface CapacityCommandOptions extends MetricsOptions {
  endpoint?: string;
  rate?: number;
  connections: number;
  duration?: number;
  devices?: number;
  fleet?: string;
  ca?: string;
  registerSims?: boolean;
  out?: string;
  seed: number;
  quotas: 'aws' | 'none';
  keyType: 'rsa' | 'ec';
  timeout: number;
  runId?: string;
  network: string;
}

/** `provbench capacity`: autocannon against a Krypton-compatible bootstrap API, one SIM per request. */
export function capacityCommand(): Command {
  const command = new Command('capacity')
    .description(
      'HTTP capacity of a Krypton bootstrap API with autocannon: AKA per SIM, then one CK-signed bootstrap per SIM',
    )
    .option('--endpoint <url>', 'bootstrap URL or Krypton base URL (default: start the embedded emulator)')
    .option(
      '--rate <req/s>',
      'overall bootstrap requests per second (whole number, at least --connections)',
      positiveInteger,
    )
    .option('--connections <n>', 'concurrent HTTP connections', positiveInteger, 10)
    .option('--duration <s>', 'stop sending after this many seconds', positiveNumber)
    .option(
      '--devices <n>',
      'SIMs = bootstrap requests (default: rate x duration, else the fleet, else 200)',
      positiveInteger,
    )
    .option('--fleet <fleet.json>', 'SIMs (with ki/opc) the service knows')
    .option(
      '--ca <pem>',
      "CA bundle the service's TLS certificate chains to (default: the emulator's, else the system's)",
    )
    .option('--register-sims', "add the fleet's SIMs through the emulator's POST /_emulator/sims first")
    .option('--out <dir>', 'write result.json and index.html here (default reports/<run-id>/)')
    .option('--seed <n>', 'fleet seed when no --fleet is given', (value) => Number.parseInt(value, 10), 1)
    .addOption(
      new Option('--quotas <table>', "embedded emulator: AWS's default quotas or none")
        .choices(['aws', 'none'])
        .default('aws'),
    )
    .addOption(
      new Option('--key-type <type>', 'embedded emulator: keys the service returns')
        .choices(['rsa', 'ec'])
        .default('rsa'),
    )
    .option('--timeout <s>', 'per-request timeout in seconds', positiveInteger, 30)
    .option('--run-id <id>', 'run id')
    .option(
      '--network <name|file.json>',
      "the SIMs' field link for their requests: none (the service's own capacity), wifi, lte, lte-m, nb-iot, or a profile file",
      'none',
    )
    .action(async (options: CapacityCommandOptions) => {
      const network = networkOption(options.network);
      const runId = options.runId ?? newRunId();
      const outDir = resolve(options.out ?? join(REPO_ROOT, 'reports', runId));
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const metrics = await startLiveMetrics(options, runId, null, log);
      const observer = metrics ? liveLoadObserver(metrics.live, CAPACITY_SCENARIO_ID) : undefined;
      try {
        await capacityAction(options, runId, outDir, network, log, observer);
        observer?.close();
        await metrics?.endpoint.finish();
      } finally {
        observer?.close();
        await metrics?.endpoint.close();
      }
    });
  return addMetricsOptions(command);
}

/** Runs the load, prints where the result went, and sets exit code 1 when a SIM was not provisioned. */
async function capacityAction(
  options: CapacityCommandOptions,
  runId: string,
  outDir: string,
  network: NetworkProfile,
  log: (line: string) => void,
  observer: ReturnType<typeof liveLoadObserver> | undefined,
): Promise<void> {
  const run = await runCapacity({
    endpoint: options.endpoint,
    rate: options.rate,
    connections: options.connections,
    durationSeconds: options.duration,
    devices: options.devices,
    fleetFile: options.fleet,
    caFile: options.ca,
    registerSims: options.registerSims,
    outDir,
    seed: options.seed,
    quotas: options.quotas,
    keyType: options.keyType,
    timeoutSeconds: options.timeout,
    runId,
    provbenchVersion: packageVersion(),
    commit: sourceCommit(),
    network,
    log,
    observer,
  });
  process.stdout.write(`result: ${run.resultFile}\nreport: ${run.htmlFile}\n`);
  const summary = run.result.scenarios[0]?.summary;
  if (summary && summary.devices.succeeded < summary.devices.requested) process.exitCode = 1;
}
