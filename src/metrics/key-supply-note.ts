import type { KeySupply } from '../contract/key-supply.js';

const KEY_NAMES: Record<KeySupply['algorithm'], string> = { 'rsa-2048': 'RSA-2048', 'ec-p256': 'EC P-256' };

/**
 * What limited the emulator's CreateKeysAndCertificate, in a sentence: null when every key came
 * from the ready pool or the stock (the quota, not key generation, set the pace).
 * `quotaPerSecond`: the CreateKeysAndCertificate quota in force (undefined with `--quotas none`).
 */
export function keySupplyNote(supply: KeySupply, quotaPerSecond: number | undefined): string | null {
  if (supply.generated === 0 || supply.ranOutAfter === null) return null;
  const rate = supply.generatedPerSecond ?? 0;
  const total = supply.fromReady + supply.fromStock + supply.generated;
  const name = KEY_NAMES[supply.algorithm];
  let ranOut = `key stock ran out after ${supply.ranOutAfter} keys (${supply.fromStock} from ${supply.stockDir})`;
  if (supply.stockDir === null) ranOut = `no key stock: the ready keys ran out after ${supply.ranOutAfter}`;
  else if (supply.fromStock === 0) ranOut = `the key stock ${supply.stockDir} was empty`;
  // Fewer generated keys than one second of the quota cannot show a rate: the callers' own pace
  // may have set it (a small run), so no limit is claimed then.
  const below = quotaPerSecond !== undefined && rate < quotaPerSecond && supply.generated >= quotaPerSecond;
  const limit = below
    ? `${name} key generation limited CreateKeysAndCertificate to ${rate.toFixed(1)}/s, below the ${quotaPerSecond}/s quota`
    : `${name} key generation then served ${rate.toFixed(1)}/s`;
  const remedy = below ? `; fill the stock first: provbench keys fill --count ${total}` : '';
  return `${ranOut}: ${limit}, for ${supply.ranOutAfter === 0 ? 'all' : 'the other'} ${total - supply.ranOutAfter} keys${remedy}`;
}
