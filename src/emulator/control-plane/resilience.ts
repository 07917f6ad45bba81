import { z } from 'zod';

/**
 * Optional latency model for resilience runs, keyed by operation name with "*" as the default.
 * Off unless configured. (Fault injection: fault-model.ts.)
 *
 * Latency file: { "*": { "distribution": "lognormal", "medianMs": 30, "p99Ms": 200 },
 *                 "CreateThing": { "distribution": "fixed", "ms": 10 } }
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

/** A model file (latency, faults) that cannot be read or does not match its format: bad input. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** Parses a JSON document with a schema, naming the file and the first problem on failure. */
export function parseModelFile<S extends z.ZodType>(
  schema: S,
  json: string,
  file: string,
  describeIssue: (issue: z.core.$ZodIssue) => string = (issue) =>
    `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new ModelFileError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 3).map(describeIssue).join('; ');
    throw new ModelFileError(`${file}: ${problems}; see docs/emulator.md for the format`);
  }
  return result.data;
}
