import { z } from 'zod';
import { IOT_ERROR_STATUS, type IotErrorCode } from '../registry/index.js';
import { ROUTES } from './routes.js';

/**
 * Fault injection (`--faults <file>`): for each control-plane operation, faults with their
 * rates, answered instead of running the operation. An operation's faults come on top of the
 * faults of "*" unless its entry says `"inherit": false`. One draw per call picks at most one
 * fault, each with probability equal to its rate, so an operation's rates (with "*") add up to
 * at most 1. Format and example: docs/emulator.md, "Fault injection".
 */

/** One fault: the AWS IoT error to answer (ServiceUnavailableException by default) at this rate. */
export interface FaultSpec {
  rate: number;
  error?: IotErrorCode;
  /** The error message (default: "Injected fault (<error>) for <operation>: fault injection is on"). */
  message?: string;
}

/** An operation's entry: one fault (the original format), a list, or a list with `inherit`. */
export type FaultEntry =
  | (FaultSpec & { inherit?: boolean })
  | FaultSpec[]
  | { faults: FaultSpec[]; inherit?: boolean };

/** A fault file: entries by operation name, "*" for every operation. */
export type FaultModelConfig = Record<string, FaultEntry>;

const OPERATIONS: readonly string[] = [...new Set(ROUTES.map((route) => route[2]))].sort();
const IOT_ERRORS = Object.keys(IOT_ERROR_STATUS) as [IotErrorCode, ...IotErrorCode[]];

const outsideUnitRange = (issue: { input?: unknown }) => `rate ${String(issue.input)} is not within 0..1`;
const faultSchema = z.strictObject({
  rate: z
    .number({ error: 'rate must be a number from 0 to 1' })
    .min(0, { error: outsideUnitRange })
    .max(1, { error: outsideUnitRange }),
  error: z
    .enum(IOT_ERRORS, {
      error: (issue) =>
        `"${String(issue.input)}" is not an AWS IoT error the emulator models; use one of ${IOT_ERRORS.join(', ')}`,
    })
    .default('ServiceUnavailableException'),
  message: z.string().min(1).optional(),
});

const entrySchema = z.preprocess(
  (entry) => {
    if (Array.isArray(entry)) return { faults: entry };
    if (entry === null || typeof entry !== 'object' || 'faults' in entry) return entry;
    const { inherit, ...fault } = entry as Record<string, unknown>;
    return inherit === undefined ? { faults: [fault] } : { faults: [fault], inherit };
  },
  z.strictObject(
    {
      faults: z.array(faultSchema),
      inherit: z.boolean({ error: 'inherit must be true or false' }).optional(),
    },
    { error: 'expected a fault {"rate", "error"}, a list of faults, or {"faults": [...], "inherit": false}' },
  ),
);

const rateSum = (faults: Array<{ rate: number }>): number =>
  faults.reduce((sum, fault) => sum + fault.rate, 0);

export const faultModelSchema = z.record(z.string(), entrySchema).superRefine((model, context) => {
  const every = model['*'];
  if (every?.inherit !== undefined)
    context.addIssue({ code: 'custom', path: ['*'], message: '"inherit" applies to operations, not to "*"' });
  for (const [operation, entry] of Object.entries(model)) {
    if (operation !== '*' && !OPERATIONS.includes(operation)) {
      context.addIssue({
        code: 'custom',
        path: [operation],
        message: `unknown operation "${operation}"; use "*" or one of ${OPERATIONS.join(', ')}`,
      });
      continue;
    }
    const inherited = operation !== '*' && entry.inherit !== false ? (every?.faults ?? []) : [];
    // Entries that did not parse (no list, rates outside 0..1) have their own issue already.
    if (!Array.isArray(entry.faults) || !Array.isArray(inherited)) continue;
    const faults = [...entry.faults, ...inherited];
    if (!faults.every((fault) => fault.rate >= 0 && fault.rate <= 1)) continue;
    const total = rateSum(faults);
    if (total > 1 + 1e-9) {
      const withEvery = inherited.length > 0 ? ' with those of "*"' : '';
      const optOut = inherited.length > 0 ? ' (or set "inherit": false)' : '';
      context.addIssue({
        code: 'custom',
        path: [operation],
        message: `rates add up to ${Number(total.toFixed(6))}${withEvery}; a call fails with at most one fault, so they must add up to at most 1${optOut}`,
      });
    }
  }
});
type ParsedFaultModel = z.output<typeof faultModelSchema>;

/** Names a fault-file problem the way the file is written: the operation, and which fault of its list. */
export function describeFaultIssue(issue: { path: PropertyKey[]; message: string }): string {
  const [operation, field, index] = issue.path;
  const where = field === 'faults' && typeof index === 'number' ? ` fault #${index + 1}` : '';
  return `${String(operation ?? '(root)')}${where}: ${issue.message}`;
}

/** An injected fault: the error code and, when the file gave one, the message. */
export interface InjectedFault {
  error: IotErrorCode;
  message?: string;
}

interface WeightedFault {
  rate: number;
  fault: InjectedFault;
}

export class FaultInjector {
  private readonly model: ParsedFaultModel;
  private readonly byOperation = new Map<string, WeightedFault[]>();

  /** `random` in [0, 1): pass a seeded generator for reproducible draws. */
  constructor(
    config: FaultModelConfig,
    private readonly random: () => number = Math.random,
  ) {
    this.model = faultModelSchema.parse(config);
  }

  /** The faults that apply to an operation: its own, then those of "*" unless it opts out. */
  private faultsFor(operation: string): WeightedFault[] {
    let faults = this.byOperation.get(operation);
    if (!faults) {
      const own = this.model[operation];
      const inherited = own?.inherit === false ? [] : (this.model['*']?.faults ?? []);
      faults = [...(own?.faults ?? []), ...inherited]
        .filter((spec) => spec.rate > 0)
        .map(({ rate, error, message }) => ({
          rate,
          fault: message === undefined ? { error } : { error, message },
        }));
      this.byOperation.set(operation, faults);
    }
    return faults;
  }

  /** The fault to answer instead of running the operation, or undefined (one draw per call). */
  pick(operation: string): InjectedFault | undefined {
    const faults = this.faultsFor(operation);
    if (faults.length === 0) return undefined;
    let draw = this.random();
    for (const { rate, fault } of faults) {
      if (draw < rate) return fault;
      draw -= rate;
    }
    return undefined;
  }
}
