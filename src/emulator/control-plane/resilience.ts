import { z } from 'zod';
import { IOT_ERROR_STATUS, type IotErrorCode } from '../registry/index.js';

/**
 * Optional latency model and fault injection for resilience runs, both keyed by operation name
 * with "*" as the default. Off unless configured.
 *
 * Latency file: { "*": { "distribution": "lognormal", "medianMs": 30, "p99Ms": 200 },
 *                 "CreateThing": { "distribution": "fixed", "ms": 10 } }
 * Fault file:   { "*": { "rate": 0.01 }, "CreateKeysAndCertificate": { "rate": 0.05,
 *                 "error": "ServiceUnavailableException" } }
 */

const latencySpec = z.discriminatedUnion('distribution', [
  z.object({ distribution: z.literal('fixed'), ms: z.number().min(0) }),
  z.object({ distribution: z.literal('uniform'), minMs: z.number().min(0), maxMs: z.number().min(0) }),
  z.object({
    distribution: z.literal('lognormal'),
    medianMs: z.number().positive(),
    p99Ms: z.number().positive(),
  }),
]);
export type LatencySpec = z.infer<typeof latencySpec>;
export const latencyModelSchema = z.record(z.string(), latencySpec);
export type LatencyModelConfig = z.infer<typeof latencyModelSchema>;

const faultableErrors = Object.keys(IOT_ERROR_STATUS) as [IotErrorCode, ...IotErrorCode[]];
const faultSpec = z.object({
  rate: z.number().min(0).max(1),
  error: z.enum(faultableErrors).default('ServiceUnavailableException'),
});
export const faultModelSchema = z.record(z.string(), faultSpec);
/** Fault injection as written in a file (error defaults to ServiceUnavailableException). */
export type FaultModelConfig = z.input<typeof faultModelSchema>;
type ParsedFaultModel = z.output<typeof faultModelSchema>;

/** Standard normal sample (Box-Muller). */
function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export class LatencyModel {
  constructor(
    private readonly config: LatencyModelConfig,
    private readonly random: () => number = Math.random,
  ) {}

  /** Milliseconds to add to this operation's response. */
  sample(operation: string): number {
    const spec = this.config[operation] ?? this.config['*'];
    if (!spec) return 0;
    switch (spec.distribution) {
      case 'fixed':
        return spec.ms;
      case 'uniform':
        return spec.minMs + (spec.maxMs - spec.minMs) * this.random();
      case 'lognormal': {
        // p99 = median * exp(2.326 sigma)
        const sigma = Math.max(0, Math.log(spec.p99Ms / spec.medianMs) / 2.326);
        return spec.medianMs * Math.exp(sigma * normal(this.random));
      }
    }
  }
}

export class FaultInjector {
  constructor(
    private readonly config: ParsedFaultModel,
    private readonly random: () => number = Math.random,
  ) {}

  /** The error to answer with instead of running the operation, or undefined. */
  pick(operation: string): IotErrorCode | undefined {
    const spec = this.config[operation] ?? this.config['*'];
    if (!spec || spec.rate <= 0) return undefined;
    return this.random() < spec.rate ? spec.error : undefined;
  }
}

/** Parses a JSON document with a schema, naming the file and the first problem on failure. */
export function parseModelFile<S extends z.ZodType>(schema: S, json: string, file: string): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}; see docs/emulator.md for the format`,
    );
  }
  return result.data;
}
