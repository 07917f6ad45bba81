import { KeySupply } from '../contract/key-supply.js';

/** The emulator's GET /_emulator/key-supply; null when it does not answer with one. */
export async function fetchKeySupply(controlPlaneUrl: string): Promise<KeySupply | null> {
  try {
    const response = await fetch(`${controlPlaneUrl}/_emulator/key-supply`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) return null;
    const parsed = KeySupply.safeParse(await response.json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
