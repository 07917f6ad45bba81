import { z } from 'zod';

/**
 * The ready file (`provbench emulator --ready-file`, docs/design.md, Ready file): the
 * emulator writes it once every listener accepts connections; the embedded target waits for it.
 */
export const ReadyFile = z.object({
  controlPlaneUrl: z.string().url(),
  region: z.string(),
  accountId: z.string(),
  /** The data plane's MQTT host and port, or null when no listener serves MQTT. */
  mqttHost: z.string().nullable(),
  mqttPort: z.number().int().nullable(),
  /** The Krypton-compatible service's base URL, or null when none runs. */
  kryptonUrl: z.string().nullable(),
  /**
   * The credentials provider's base URL (`GET /role-aliases/<alias>/credentials` over mTLS), or
   * null when none runs; absent in ready files written before it existed.
   */
  credentialsProviderUrl: z.string().nullable().optional(),
  /** The emulator's root CA (PEM file) that devices trust. */
  rootCaFile: z.string(),
});
export type ReadyFile = z.infer<typeof ReadyFile>;
