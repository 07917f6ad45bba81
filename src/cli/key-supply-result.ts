import { keySupplyNote } from '../metrics/key-supply-note.js';
import type { RunResult } from '../metrics/result-schema.js';
import type { QuotaTable } from '../quotas/aws-default-quotas.js';
import type { StartedTarget } from '../targets/target.js';

/**
 * The embedded emulator's key supply for result.json, with the sentence naming the limiter when
 * key generation, not the CreateKeysAndCertificate quota, set the pace. Undefined for targets
 * that cannot tell (remote ones).
 */
export async function keySupplyOf(
  target: StartedTarget,
  quotas: QuotaTable | undefined,
): Promise<RunResult['keySupply']> {
  const supply = await target.keySupply?.();
  if (!supply) return undefined;
  return { ...supply, note: keySupplyNote(supply, quotas?.controlPlaneTps.CreateKeysAndCertificate) };
}
