import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, type Command as CommanderCommand } from 'commander';
import { type IamPolicies, iamActorsKey } from '../../contract/iam.js';
import { describeModel, type LoadModel, parseRamp } from '../../engine/load-model.js';
import { ResumeState } from '../../engine/resume-state.js';
import { type RunConfig, runScenarios } from '../../engine/run.js';
import {
  loadScenario,
  resolveScenarios,
  type ScenarioRef,
  selectVariant,
} from '../../engine/scenario-loader.js';
import { projectFleet } from '../../metrics/projection.js';
import type { RunResult, ScenarioCost } from '../../metrics/result-schema.js';
import { parseThresholdConfig, type ThresholdConfig } from '../../metrics/thresholds.js';
import { DEFAULT_PROFILE } from '../../network/builtin-profiles.js';
import { costOfScenario, plannedCostInput, priceRun } from '../../pricing/cost.js';
import { pacerShareFor } from '../../quotas/quota-pacer.js';
import { describeThrottling, formatUsd, type ThrottlingView } from '../../report/format.js';
import { readJsonFile } from '../../report/load.js';
import { writeGeneratedFleetFile } from '../../sim/generate.js';
import type { StartedTarget } from '../../targets/target.js';
import {
  addAccountOptions,
  describeQuotaOverrides,
  type ResolvedAccount,
  resolveAccountOptions,
} from '../account-options.js';
import { keySupplyOf } from '../key-supply-result.js';
import { addMetricsOptions, startLiveMetrics } from '../metrics-options.js';
import { networkOption } from '../network-option.js';
import { packageVersion, REPO_ROOT, sourceCommit, UsageError } from '../options.js';
import { createProgressDisplay } from '../progress.js';
import { runVerdict } from '../run-exit.js';
import { newRunFile, type ResumedRun, resumeRun, writeRunFile } from '../run-file.js';
import { resolveTarget, startTarget, type TargetChoice } from '../run-target.js';
import { addRunOptions, type RunOptions } from './run-options.js';

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `pb${stamp}-${randomBytes(2).toString('hex')}`;
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

/**
 * The IAM policies the run's scenarios declare per actor, for the selected variant of each, by
 * iamActorsKey (embedded target).
 */
export async function declaredIamPolicies(
  refs: ScenarioRef[],
  runId: string,
): Promise<Record<string, IamPolicies>> {
  const policies: Record<string, IamPolicies> = {};
  for (const ref of refs) {
    const scenario = await loadScenario(ref.moduleUrl);
    const variant = selectVariant(scenario, ref.variant);
    if (scenario.iamPolicies) {
      policies[iamActorsKey(scenario.id, variant)] = scenario.iamPolicies({ runId, variant });
    }
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
  if (options.scenario === undefined)
    throw new UsageError(
      "required option '--scenario <ids>' not specified (or continue a run with --resume <dir>)",
    );
  try {
    return resolveScenarios(options.scenario);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Runs `provbench run` and sets process.exitCode (docs/running.md "Exit codes"). `targetGiven`:
 * whether --target was on the command line rather than its default. `resumed`: the run
 * `--resume` continues (its options are `options`).
 */
export async function runCommandAction(
  options: RunOptions,
  targetGiven = true,
  resumed?: ResumedRun,
): Promise<RunResult | null> {
  const network = networkOption(options.network ?? DEFAULT_PROFILE);
  const refs = resumed ? resumed.file.scenarios : scenariosOf(options);
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
  const runId = resumed?.file.runId ?? options.runId ?? newRunId();
  const reportsDir = join(REPO_ROOT, 'reports');
  const outDir = resumed?.dir ?? resolve(options.out ?? join(reportsDir, runId));
  mkdirSync(outDir, { recursive: true });
  const ledgerPath = join(outDir, 'ledger.jsonl');
  // Before anything is created: what a resume needs to run this run again.
  const runFile = resumed
    ? { ...resumed.file, attempts: resumed.file.attempts + 1, pid: process.pid }
    : newRunFile(runId, options, refs, targetGiven);
  const resumeState = new ResumeState(outDir, runFile.attempts, runFile.startedAt);
  const emulatorStateDir = join(outDir, 'emulator-state');
  if (!resumed) {
    // An earlier run in the same dir: its state is not this run's.
    resumeState.clearEarlierRun();
    rmSync(emulatorStateDir, { recursive: true, force: true });
  }
  writeRunFile(outDir, runFile);
  if (targetChoice.target === 'embedded') mkdirSync(emulatorStateDir, { recursive: true, mode: 0o700 });

  const fleetFile = join(outDir, 'fleet.json');
  await writeGeneratedFleetFile(fleetFile, { devices: options.devices, seed: options.seed });
  const bootstrapServiceNeedsSims = await anyUsesSimFleet(refs);

  const metrics = await startLiveMetrics(options, runId, options.shard, (line) =>
    process.stderr.write(`${line}\n`),
  );
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
  let complete = false;
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
      modelSeed: options.seed,
      ...(targetChoice.target === 'embedded' ? { stateDir: emulatorStateDir } : {}),
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
      ...(options.quotas === 'aws' && options.pacing !== 'off'
        ? { pacer: pacerShareFor(account.quotas, 1 / (options.shard?.count ?? 1)) }
        : {}),
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
        pacing: options.quotas === 'aws' && options.pacing !== 'off' ? 'quota' : 'off',
        latencyModel: options.latencyModel ?? null,
        faults: options.faults ?? null,
        pricingFile: options.pricing ?? null,
      },
      provbenchVersion: packageVersion(),
      commit: sourceCommit(),
      network,
      live: metrics?.live,
      resume: resumeState,
    };
    const outcome = await runScenarios(config);
    const keySupply = await keySupplyOf(target, options.quotas === 'aws' ? account.quotas : undefined);
    const result = priceRun(
      { ...outcome, quotaOverrides: account.quotaOverrides, ...(keySupply ? { keySupply } : {}) },
      account.prices,
    );
    progress.stop();
    writeFileSync(join(outDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    const html = await writeReports(result, outDir);
    if (!options.out) pointLatest(reportsDir, runId);
    for (const scenario of result.scenarios) {
      const s = scenario.summary;
      process.stdout.write(
        `${s.scenario}: ${s.devices.succeeded}/${s.devices.requested} connected, ${s.devicesPerSecond.toFixed(1)} devices/s, p50 ${s.timeToConnectedMs.p50.toFixed(0)} ms, p99 ${s.timeToConnectedMs.p99.toFixed(0)} ms, failed ${s.devices.failed}${scenario.cost ? `, ${formatUsd(scenario.cost.perDevice)} per device` : ''}${throttlingNote(scenario.throttling)}\n`,
      );
    }
    if (keySupply?.note) process.stdout.write(`${keySupply.note}\n`);
    process.stdout.write(
      `result: ${join(outDir, 'result.json')}${html ? `\nreport: ${html}` : ''}\nledger: ${ledgerPath}${result.partial ? `\n(partial: the run was interrupted; continue it with provbench run --resume ${outDir})` : ''}${describeResumed(result)}\n`,
    );
    complete = !result.partial;
    const verdict = runVerdict(result, stoppedBy);
    if (verdict.message) process.stderr.write(`provbench: ${verdict.message} (exit ${verdict.exitCode})\n`);
    process.exitCode = verdict.exitCode;
    await metrics?.endpoint.finish();
    return result;
  } finally {
    progress.stop();
    await metrics?.endpoint.close();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await target?.close();
    // A finished run is never resumed: the emulator's saved state (its CA keys too) can go,
    // unless it holds what --keep-resources kept (provbench emulator --state-dir serves it).
    if (complete && !options.keepResources) rmSync(emulatorStateDir, { recursive: true, force: true });
  }
}

function throttlingNote(figures: ThrottlingView | undefined): string {
  const note = describeThrottling(figures);
  return note ? `; ${note}` : '';
}

function describeResumed(result: RunResult): string {
  if (!result.resumed) return '';
  const { times, rerunDevices } = result.resumed;
  return `\n(resumed ${times === 1 ? 'once' : `${times} times`}: ${rerunDevices} devices cut off mid-way ran again)`;
}

/** `provbench run`: runs scenarios against a target and writes result.json and index.html. */
export function runCommand(): Command {
  const command = addRunOptions(
    new Command('run').description('provision simulated devices with one or more patterns and measure it'),
  ).action(async (options: RunOptions, command: CommanderCommand) => {
    if (options.resume) {
      const resumed = resumeRun(options, command);
      await runCommandAction(resumed.options, resumed.file.targetGiven, resumed);
    } else {
      await runCommandAction(options, command.getOptionValueSource('target') !== 'default');
    }
  });
  return addMetricsOptions(addAccountOptions(command));
}
