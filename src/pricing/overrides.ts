import { readFile } from 'node:fs/promises';
import type { RunResult } from '../metrics/result-schema.js';
import { defaultPriceTable, PRICE_IDS, type PriceId, type PriceTable } from './price-table.js';

/** Bad price input (unknown entry, non-number): the CLI exits 2 with this message. */
export class PricingInputError extends Error {}

function isPriceId(name: string): name is PriceId {
  return (PRICE_IDS as string[]).includes(name);
}

function overrideValue(file: string, id: string, given: unknown): { value: number; source?: string } {
  const candidate =
    typeof given === 'object' && given !== null && !Array.isArray(given)
      ? (given as Record<string, unknown>)
      : { value: given };
  const extra = Object.keys(candidate).filter((key) => key !== 'value' && key !== 'source');
  if (extra.length > 0) {
    throw new PricingInputError(
      `${file}: "${id}" has unknown field(s) ${extra.join(', ')}; give a number or { "value": number, "source": "where it comes from" }`,
    );
  }
  const { value, source } = candidate;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new PricingInputError(
      `${file}: "${id}" must be a number >= 0 (${DEFAULT_UNITS[id as PriceId] ?? 'USD'}), got ${JSON.stringify(value)}`,
    );
  }
  if (source !== undefined && typeof source !== 'string') {
    throw new PricingInputError(`${file}: "${id}".source must be a string`);
  }
  return { value, ...(source !== undefined ? { source } : {}) };
}

const DEFAULT_UNITS = Object.fromEntries(
  PRICE_IDS.map((id) => [id, defaultPriceTable().entries[id].unit]),
) as Record<PriceId, string>;

/**
 * Applies a --pricing document `{ "<entry>": number | { "value": number, "source": "..." } }`
 * on top of `base`. Unknown entries and non-numbers are PricingInputErrors naming the entry.
 */
export function applyPriceOverrides(base: PriceTable, overrides: unknown, file: string): PriceTable {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new PricingInputError(
      `${file}: a price file is a JSON object of entry: number, e.g. {"cellularDataPerMB": 0.08}; entries: ${PRICE_IDS.join(', ')}`,
    );
  }
  const entries = { ...base.entries };
  for (const [id, given] of Object.entries(overrides)) {
    if (!isPriceId(id)) {
      throw new PricingInputError(`${file}: unknown price entry "${id}"; known: ${PRICE_IDS.join(', ')}`);
    }
    const { value, source } = overrideValue(file, id, given);
    entries[id] = { ...entries[id], value, source: source ?? `${file} (user)`, read: 'user' };
  }
  return { ...base, name: `${base.name} + ${file}`, entries };
}

/** Reads and applies a --pricing file. */
export async function loadPriceOverrides(base: PriceTable, file: string): Promise<PriceTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PricingInputError(
      `cannot read price file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PricingInputError(`price file ${file} is not JSON (${(error as Error).message})`);
  }
  return applyPriceOverrides(base, json, file);
}

/**
 * The table a run used (result.json `pricing`), completed with today's defaults for entries
 * it predates; a run without one gets the defaults.
 */
export function priceTableOf(result: RunResult): PriceTable {
  const table = defaultPriceTable();
  if (!result.pricing) return table;
  for (const id of PRICE_IDS) {
    const entry = result.pricing.entries[id];
    if (entry) table.entries[id] = { ...entry };
  }
  return { ...table, name: result.pricing.name };
}
