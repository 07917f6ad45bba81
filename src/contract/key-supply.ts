import { z } from 'zod';

/**
 * Where the embedded emulator's CreateKeysAndCertificate keys came from during a run: the keys
 * its worker had ready, the key stock on disk (`provbench keys fill`), or generation while the
 * caller waited. Served at `GET <controlPlaneUrl>/_emulator/key-supply`; copied into result.json.
 */
export const KeySupply = z.object({
  algorithm: z.enum(['rsa-2048', 'ec-p256']),
  /** The key stock directory in use; null when the emulator runs without one. */
  stockDir: z.string().nullable(),
  fromReady: z.number().int(),
  fromStock: z.number().int(),
  /** Keys generated while a CreateKeysAndCertificate call waited for them. */
  generated: z.number().int(),
  /** Keys handed out before the first one had to be generated; null when none had to be. */
  ranOutAfter: z.number().int().nullable(),
  /** Generated keys per second of time callers spent waiting for them (generation's pace); null when none waited. */
  generatedPerSecond: z.number().nullable(),
});
export type KeySupply = z.infer<typeof KeySupply>;
