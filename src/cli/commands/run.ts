import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, type Command as CommanderCommand, InvalidArgumentError, Option } from 'commander';
import type { IamPolicies } from '../../contract/iam.js';
import type { KeyType } from '../../contract/scenario.js';
import { describeModel, type LoadModel, parseDurationMs, parseRamp } from '../../engine/load-model.js';
import { type RunConfig, runScenarios, type Shard } from '../../engine/run.js';
import { loadScenario, resolveScenarios, type ScenarioRef } from '../../engine/scenario-loader.js';
import { projectFleet } from '../../metrics/projection.js';
import type { RunResult, ScenarioCost } from '../../metrics/result-schema.js';
import { parseThresholdConfig, type ThresholdConfig } from '../../metrics/thresholds.js';
import { DEFAULT_PROFILE } from '../../network/builtin-profiles.js';
import { costOfScenario, plannedCostInput, priceRun } from '../../pricing/cost.js';
import { formatUsd } from '../../report/format.js';
import { readJsonFile } from '../../report/load.js';
import { writeGeneratedFleetFile } from '../../sim/generate.js';
import type { StartedTarget } from '../../targets/target.js';
import {
  type AccountOptions,
  addAccountOptions,
  describeQuotaOverrides,
  type ResolvedAccount,
  resolveAccountOptions,
} from '../account-options.js';
import { networkOption } from '../network-option.js';
import {
  packageVersion,
  positiveInteger,
  positiveNumber,
  REPO_ROOT,
  sourceCommit,
  UsageError,
} from '../options.js';
import { createProgressDisplay, type ProgressMode } from '../progress.js';
import { runVerdict } from '../run-exit.js';
import { parseMqttEndpoint, resolveTarget, startTarget, type TargetChoice } from '../run-target.js';

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

function duration(value: string): number {
  try {
    return parseDurationMs(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function runIdOption(value: string): string {
  // It prefixes thing names and MQTT client ids, which allow [a-zA-Z0-9:_-] up to 128 characters.
  if (!/^[A-Za-z0-9_-]{1,48}$/.test(value))
    throw new InvalidArgumentError('use 1-48 letters, digits, - or _');
  return value;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `pb${stamp}-${randomBytes(2).toString('hex')}`;
}

interface RunOptions extends AccountOptions {
  scenario: string;
  devices: number;
  rate?: number;
  concurrency?: number;
  ramp?: string;
  target: 'embedded' | 'localstack' | 'aws';
  quotas: 'aws' | 'none';
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
}

/** `--thresholds <file>`: checked now, so a typo fails before anything is created. */
async function thresholdsOf(options: RunOptions): Promise<ThresholdConfig | undefined> {
  if (!options.thresholds) return undefined;
  try {
    return parseThresholdConfig(await readJsonFile(options.thresholds, 'thresholds'), options.thresholds);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function loadModelFrom(options: RunOptions): LoadModel {
  const given = [options.rate, options.concurrency, options.ramp].filter(
    (value) => value !== undefined,
  ).length;
  if (given > 1) throw new UsageError('give one of --rate, --concurrency or --ramp');
  if (options.rate !== undefined) return { kind: 'constant-rate', rate: options.rate };
  if (options.ramp !== undefined) return parseRamp(options.ramp);
  return { kind: 'concurrency', concurrency: options.concurrency ?? 32 };
}

function guardRealAccount(options: RunOptions, scenarioCount: number): void {
  if (options.target !== 'aws' || options.dryRun) return;
  const total = options.devices * scenarioCount;
  if (!options.yes || options.maxDevices === undefined) {
    throw new UsageError(
      `--target aws creates real resources (and costs money): add --yes and --max-devices <n> (this run: ${total} devices), or preview with --dry-run`,
    );
  }
  if (total > options.maxDevices) {
    throw new UsageError(
      `this run provisions ${total} devices (${options.devices} x ${scenarioCount} scenarios), above --max-devices ${options.maxDevices}`,
    );
  }
}

/** Whether a scenario of the run needs the target's bootstrap service to know the SIMs. */
export async function anyUsesSimFleet(refs: ScenarioRef[]): Promise<boolean> {
  for (const ref of refs) {
    if ((await loadScenario(ref.moduleUrl)).usesSimFleet) return true;
  }
  return false;
}

/** The IAM policies the run's scenarios declare per actor, by scenario id (embedded target). */
export async function declaredIamPolicies(
  refs: ScenarioRef[],
  runId: string,
): Promise<Record<string, IamPolicies>> {
  const policies: Record<string, IamPolicies> = {};
  for (const ref of refs) {
    const scenario = await loadScenario(ref.moduleUrl);
    if (scenario.iamPolicies) policies[scenario.id] = scenario.iamPolicies({ runId });
  }
  return policies;
}

function describePlannedCost(cost: ScenarioCost): string {
  const left = cost.unpriced.length ? `; not in it: ${cost.unpriced.join(', ')}` : '';
  return `planned cost: ${formatUsd(cost.perDevice)} per device, ${formatUsd(cost.perMillionDevices)} per million devices (from the declared calls${left})`;
}

async function printPlan(
  refs: ScenarioRef[],
  options: RunOptions,
  model: LoadModel,
  account: ResolvedAccount,
): Promise<void> {
  const { quotas, quotaOverrides } = account;
  const quotaNames = quotaOverrides.length > 0 ? 'your account’s quotas' : 'AWS default quotas';
  const lines = [
    `plan: ${options.devices} devices per scenario on target ${options.target}, ${describeModel(model)}, quotas ${options.quotas}, network ${options.network ?? DEFAULT_PROFILE}`,
  ];
  if (quotaOverrides.length > 0) {
    lines.push(`quotas that differ from AWS's defaults: ${describeQuotaOverrides(quotaOverrides)}`);
  }
  for (const ref of refs) {
    const scenario = await loadScenario(ref.moduleUrl);
    if (!scenario.apiPlan) {
      lines.push(`  ${scenario.id}: API calls unknown (the scenario declares no apiPlan)`);
      continue;
    }
    const perDevice = scenario.apiPlan.perDevice;
    const calls = Object.entries(perDevice)
      .map(([api, count]) => `${api} ${count * options.devices}`)
      .join(', ');
    const once = Object.entries(scenario.apiPlan.perRun ?? {})
      .map(([api, count]) => `${api} ${count}`)
      .join(', ');
    const projection = projectFleet({ ...perDevice }, quotas);
    const seconds = projection.devicesPerSecondLimit
      ? options.devices / projection.devicesPerSecondLimit
      : null;
    lines.push(`  ${scenario.id}: ${calls}${once ? `; once: ${once}` : ''}`);
    lines.push(
      seconds === null
        ? '    no quota limits this pattern'
        : `    under ${quotaNames}: >= ${seconds.toFixed(1)} s (bottleneck ${projection.bottleneckApi}, ${projection.devicesPerSecondLimit?.toFixed(1)} devices/s)`,
    );
    lines.push(`    ${describePlannedCost(costOfScenario(plannedCostInput(perDevice), account.prices))}`);
  }
  lines.push(`prices: ${account.prices.name}`);
  lines.push('nothing was created (dry run)');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function pointLatest(reportsDir: string, runId: string): void {
  const latest = join(reportsDir, 'latest');
  rmSync(latest, { force: true, recursive: false });
  symlinkSync(runId, latest, 'dir');
}

async function writeReports(result: RunResult, outDir: string): Promise<string | null> {
  try {
    const { writeRunReports } = await import('../../report/write.js');
    const written = await writeRunReports(result, outDir);
    return written.html;
  } catch (error) {
    process.stderr.write(
      `provbench: reports not written (${(error as Error).message}); render later with provbench report ${join(outDir, 'result.json')}\n`,
    );
    return null;
  }
}

function scenariosOf(options: RunOptions): ScenarioRef[] {
  try {
    return resolveScenarios(options.scenario);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Runs `provbench run` and sets process.exitCode (docs/running.md "Exit codes"). `targetGiven`:
 * whether --target was on the command line rather than its default.
 */
export async function runCommandAction(options: RunOptions, targetGiven = true): Promise<RunResult | null> {
  const network = networkOption(options.network ?? DEFAULT_PROFILE);
  const refs = scenariosOf(options);
  const model = loadModelFrom(options);
  const thresholds = await thresholdsOf(options);
  const targetChoice: TargetChoice = resolveTarget({
    target: options.target,
    targetGiven,
    readyFile: options.readyFile,
    mqttEndpoint: options.mqttEndpoint,
    endpointUrl: options.endpointUrl,
    region: options.region,
    rootCa: options.rootCa,
    kryptonUrl: options.kryptonUrl,
  });
  guardRealAccount(options, refs.length);
  const account = await resolveAccountOptions(options, targetChoice.target);
  if (options.dryRun) {
    await printPlan(refs, options, model, account);
    return null;
  }
  const runId = options.runId ?? newRunId();
  const reportsDir = join(REPO_ROOT, 'reports');
  const outDir = resolve(options.out ?? join(reportsDir, runId));
  mkdirSync(outDir, { recursive: true });
  const ledgerPath = join(outDir, 'ledger.jsonl');

  const fleetFile = join(outDir, 'fleet.json');
  await writeGeneratedFleetFile(fleetFile, { devices: options.devices, seed: options.seed });
  const bootstrapServiceNeedsSims = await anyUsesSimFleet(refs);

  const interrupt = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const onSigint = (signal: NodeJS.Signals) => {
    if (stoppedBy === null) {
      stoppedBy = signal;
      process.stderr.write(
        '\nprovbench: stopping (no new devices; those in flight are aborted, then teardown and cleanup run; Ctrl-C again to quit now and clean up later with provbench cleanup)\n',
      );
      interrupt.abort();
    } else {
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const progress = createProgressDisplay(process.stderr, { mode: options.progress });
  let target: StartedTarget | null = null;
  try {
    target = await startTarget(targetChoice, {
      quotas: options.quotas,
      keyType: options.keyType,
      requestTimeoutMs: Math.min(options.timeout, 30_000),
      ...(bootstrapServiceNeedsSims ? { fleetFile } : {}),
      workDir: outDir,
      quotaFile: account.quotaFile,
      latencyModelFile: account.latencyModelFile,
      faultsFile: account.faultsFile,
      // The embedded emulator verifies SigV4 and gives each actor exactly its declared policy.
      ...(targetChoice.target === 'embedded' ? { iamPolicies: await declaredIamPolicies(refs, runId) } : {}),
    });
    const config: RunConfig = {
      runId,
      scenarios: refs,
      devices: options.devices,
      model,
      target,
      quotas: options.quotas,
      seed: options.seed,
      keyType: options.keyType,
      timeoutMs: options.timeout,
      maxAttempts: options.maxAttempts,
      shard: options.shard ?? null,
      projectionQuotas: account.quotas,
      workers: options.workers,
      ledgerPath,
      keepResources: options.keepResources ?? false,
      signal: interrupt.signal,
      onProgress: (update) => progress.update(update),
      echo: {
        target: targetChoice.target,
        ...(options.readyFile ? { readyFile: resolve(options.readyFile) } : {}),
        ...(thresholds ? { thresholds } : {}),
        shard: options.shard ? `${options.shard.index + 1}/${options.shard.count}` : null,
        quotaFile: options.quotaFile ?? null,
        latencyModel: options.latencyModel ?? null,
        faults: options.faults ?? null,
        pricingFile: options.pricing ?? null,
      },
      provbenchVersion: packageVersion(),
      commit: sourceCommit(),
      network,
    };
    const result = priceRun(
      { ...(await runScenarios(config)), quotaOverrides: account.quotaOverrides },
      account.prices,
    );
    progress.stop();
    writeFileSync(join(outDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    const html = await writeReports(result, outDir);
    if (!options.out) pointLatest(reportsDir, runId);
    for (const scenario of result.scenarios) {
      const s = scenario.summary;
      process.stdout.write(
        `${s.scenario}: ${s.devices.succeeded}/${s.devices.requested} connected, ${s.devicesPerSecond.toFixed(1)} devices/s, p50 ${s.timeToConnectedMs.p50.toFixed(0)} ms, p99 ${s.timeToConnectedMs.p99.toFixed(0)} ms, failed ${s.devices.failed}${scenario.cost ? `, ${formatUsd(scenario.cost.perDevice)} per device` : ''}\n`,
      );
    }
    process.stdout.write(
      `result: ${join(outDir, 'result.json')}${html ? `\nreport: ${html}` : ''}\nledger: ${ledgerPath}${result.partial ? '\n(partial: the run was interrupted)' : ''}\n`,
    );
    const verdict = runVerdict(result, stoppedBy);
    if (verdict.message) process.stderr.write(`provbench: ${verdict.message} (exit ${verdict.exitCode})\n`);
    process.exitCode = verdict.exitCode;
    return result;
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await target?.close();
  }
}

/** `provbench run`: runs scenarios against a target and writes result.json and index.html. */
export function runCommand(): Command {
  const command = new Command('run')
    .description('provision simulated devices with one or more patterns and measure it')
    .requiredOption('--scenario <ids>', 'id[:variant][,id...], "all", or ./path/to/scenario.ts')
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
    .action(async (options: RunOptions, command: CommanderCommand) => {
      await runCommandAction(options, command.getOptionValueSource('target') !== 'default');
    });
  return addAccountOptions(command);
}
