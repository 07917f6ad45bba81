import { z } from 'zod';

/** AWS IoT settings of a group (SORACOM's `SoracomKrypton` namespace, key `AwsIot`). */
export const awsIotConfigSchema = z.object({
  region: z.string().min(1),
  /**
   * Inline AWS credentials. SORACOM stores them in a credential set and refers to it by
   * `credentialsId`; the emulator takes them here (or uses the emulator's defaults).
   */
  credentials: z
    .object({
      accessKeyId: z.string().min(1),
      secretAccessKey: z.string().min(1),
      sessionToken: z.string().optional(),
    })
    .optional(),
  credentialsId: z.string().optional(),
  /** Control-plane URL for @aws-sdk/client-iot (emulator extension; absent means AWS's regional endpoint). */
  endpoint: z.string().url().optional(),
  policyName: z.string().regex(/^[\w+=,.@-]{1,128}$/, 'policyName must be a valid AWS IoT policy name'),
  /** `$imsi` is replaced by the IMSI of the requesting SIM. */
  thingNamePattern: z.string().min(1).max(128),
  /** AWS IoT data endpoint returned to devices as `host`. */
  host: z.string().min(1),
  /** Returned as `rootCaCertificate`; defaults to the emulator's CA bundle. */
  rootCaCertificate: z.string().optional(),
});

export const kryptonGroupConfigSchema = z.object({
  enabled: z.boolean(),
  awsIot: awsIotConfigSchema.optional(),
  /** The group's `SoracomAir` userdata string. */
  userdata: z.string().max(65_536).optional(),
});

export type AwsIotConfig = z.infer<typeof awsIotConfigSchema>;
export type KryptonGroupConfig = z.infer<typeof kryptonGroupConfigSchema>;

/** SORACOM's group configuration body: a list of `{key, value}`. */
const keyValueListSchema = z.array(z.object({ key: z.string(), value: z.unknown() }));

/**
 * Reads a group configuration update in SORACOM's list form
 * (`[{"key":"enabled","value":true},{"key":"AwsIot","value":{...}}]`) or as a plain object.
 * Keys not present keep their current value.
 */
export function mergeGroupConfig(
  current: KryptonGroupConfig | undefined,
  update: unknown,
): KryptonGroupConfig {
  const list = keyValueListSchema.safeParse(update);
  const patch: Record<string, unknown> = {};
  if (list.success) {
    for (const { key, value } of list.data) {
      if (key === 'enabled') patch.enabled = value;
      else if (key === 'AwsIot' || key === 'awsIot') patch.awsIot = value;
      else if (key === 'userdata') patch.userdata = value;
      else
        throw new z.ZodError([
          { code: 'custom', path: [key], message: `unknown configuration key ${key}`, input: key },
        ]);
    }
  } else if (update && typeof update === 'object' && !Array.isArray(update)) {
    Object.assign(patch, update);
  }
  return kryptonGroupConfigSchema.parse({ enabled: false, ...current, ...patch });
}

/** The configuration with secrets masked, for admin reads. */
export function redactGroupConfig(config: KryptonGroupConfig): KryptonGroupConfig {
  if (!config.awsIot?.credentials) return config;
  return {
    ...config,
    awsIot: {
      ...config.awsIot,
      credentials: { accessKeyId: config.awsIot.credentials.accessKeyId, secretAccessKey: '********' },
    },
  };
}
