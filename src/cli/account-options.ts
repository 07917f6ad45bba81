import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeFaultIssue, faultModelSchema } from '../emulator/control-plane/fault-model.js';
import { latencyModelSchema, parseModelFile } from '../emulator/control-plane/resilience.js';
import { loadPriceOverrides, PricingInputError } from '../pricing/overrides.js';
import { defaultPriceTable, type PriceTable } from '../pricing/price-table.js';
import {
  ACCOUNT_LIMITS,
  applyQuotaOverrides,
  CONTROL_PLANE_TPS,
  defaultQuotaTable,
  type QuotaTable,
} from '../quotas/aws-default-quotas.js';
import { UsageError } from './options.js';

/**
 * `provbench run` options that describe the account and its prices rather than the load: the
 * account's own quotas, the embedded emulator's latency model and faults, and the price table.
 */
export interface AccountOptions {
  quotaFile?: string;
  latencyModel?: string;
  faults?: string;
  pricing?: string;
}

export interface ResolvedAccount {
  quotas: QuotaTable;
  /** Quotas that differ from AWS's defaults, for result.json, the plan and the report. */
  quotaOverrides: QuotaOverride[];
  prices: PriceTable;
  /** Absolute paths for the embedded emulator. */
  quotaFile?: string;
  latencyModelFile?: string;
  faultsFile?: string;
}

export interface QuotaOverride {
  quota: string;
  value: number;
  awsDefault: number;
}

export function addAccountOptions(command: Command): Command {
  return command
    .option(
      '--quota-file <file>',
      'the account\'s own quotas, JSON {"controlPlaneTps": {...}, "limits": {...}} over AWS\'s defaults: the embedded emulator enforces them, the projection uses them',
    )
    .option('--latency-model <file>', 'embedded emulator: JSON per-operation latency distributions')
    .option('--faults <file>', 'embedded emulator: JSON per-operation fault injection rates')
    .option(
      '--pricing <file>',
      'JSON price overrides, e.g. {"cellularDataPerMB": 0.08} (see docs/field-conditions.md)',
    );
}

async function readJson(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** Quota entries of `table` that differ from AWS's defaults. */
export function quotaOverridesOf(table: QuotaTable): QuotaOverride[] {
  const defaults: Record<string, number> = { ...CONTROL_PLANE_TPS, ...ACCOUNT_LIMITS };
  const current: Record<string, number> = { ...table.controlPlaneTps, ...table.limits };
  return Object.entries(current)
    .filter(([quota, value]) => defaults[quota] !== value)
    .map(([quota, value]) => ({ quota, value, awsDefault: defaults[quota] ?? Number.NaN }));
}

/** AWS's default quotas, or with a `--quota-file` over them (a bad file: UsageError, exit 2). */
export async function loadQuotas(file: string | undefined): Promise<QuotaTable> {
  if (!file) return defaultQuotaTable();
  let overrides: unknown;
  try {
    overrides = JSON.parse(await readJson(file, 'quota file'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`quota file ${file} is not JSON (${(error as Error).message})`);
  }
  try {
    return applyQuotaOverrides(defaultQuotaTable(), overrides);
  } catch (error) {
    throw new UsageError(`quota file ${file}: ${(error as Error).message}`);
  }
}

async function validateModel(
  file: string | undefined,
  parse: (text: string, file: string) => unknown,
): Promise<string | undefined> {
  if (!file) return undefined;
  const text = await readJson(file, 'file');
  try {
    parse(text, file);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return resolve(file);
}

/** Loads and validates every account option; bad input is a UsageError (exit 2). */
export async function resolveAccountOptions(
  options: AccountOptions,
  target: 'embedded' | 'localstack' | 'aws',
): Promise<ResolvedAccount> {
  if (target !== 'embedded') {
    const emulatorOnly = [
      options.latencyModel ? '--latency-model' : null,
      options.faults ? '--faults' : null,
    ].filter(Boolean);
    if (emulatorOnly.length > 0) {
      throw new UsageError(
        `${emulatorOnly.join(' and ')} configure the embedded emulator; --target ${target} has its own latencies and faults (drop the flag, or use --target embedded)`,
      );
    }
  }
  const quotas = await loadQuotas(options.quotaFile);
  let prices = defaultPriceTable();
  if (options.pricing) {
    try {
      prices = await loadPriceOverrides(prices, options.pricing);
    } catch (error) {
      if (error instanceof PricingInputError) throw new UsageError(error.message);
      throw error;
    }
  }
  return {
    quotas,
    quotaOverrides: quotaOverridesOf(quotas),
    prices,
    quotaFile: options.quotaFile ? resolve(options.quotaFile) : undefined,
    latencyModelFile: await validateModel(options.latencyModel, (text, file) =>
      parseModelFile(latencyModelSchema, text, file),
    ),
    faultsFile: await validateModel(options.faults, (text, file) =>
      parseModelFile(faultModelSchema, text, file, describeFaultIssue),
    ),
  };
}

/** The quota table a run used, rebuilt from its result.json `quotaOverrides`. */
export function quotaTableOf(overrides: readonly QuotaOverride[]): QuotaTable {
  const table = defaultQuotaTable();
  for (const { quota, value } of overrides) {
    if (quota in table.controlPlaneTps) table.controlPlaneTps[quota] = value;
    else if (quota in table.limits) (table.limits as Record<string, number>)[quota] = value;
  }
  return table;
}

/** "CreateKeysAndCertificate 50 (AWS default 10)" lines for the plan and the report. */
export function describeQuotaOverrides(overrides: readonly QuotaOverride[]): string {
  return overrides
    .map((entry) => `${entry.quota} ${entry.value} (AWS default ${entry.awsDefault})`)
    .join(', ');
}
