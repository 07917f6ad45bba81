import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Ledger, LedgerHandle, ResourceKind, ResourceRef } from '../contract/ledger.js';

const RESOURCE_KINDS = [
  'thing',
  'certificate',
  'ca-certificate',
  'policy',
  'thing-principal',
  'policy-principal',
  'provisioning-template',
  'topic-rule',
  'thing-type',
  'thing-group',
  'thing-group-membership',
  'policy-version',
  'role-alias',
] as const satisfies readonly ResourceKind[];

const ResourceRefSchema = z.object({
  kind: z.enum(RESOURCE_KINDS),
  name: z.string().optional(),
  id: z.string().optional(),
  arn: z.string().optional(),
  thingName: z.string().optional(),
  policyName: z.string().optional(),
  thingGroupName: z.string().optional(),
  principal: z.string().optional(),
  publicKey: z.string().optional(),
  templateName: z.string().optional(),
  deviceIndex: z.number().int().optional(),
});

/** One JSONL line: an intent (before creation), an acknowledgement (after) or a deletion. */
const LedgerLineSchema = z.object({
  op: z.enum(['intend', 'ack', 'deleted']),
  key: z.string(),
  runId: z.string(),
  at: z.string(),
  resource: ResourceRefSchema.partial().optional(),
});
export type LedgerLine = z.infer<typeof LedgerLineSchema>;

/** A write to a closed ledger: refused, so it can never reach whatever the descriptor now is. */
export class LedgerClosedError extends Error {
  constructor(path: string) {
    super(
      `ledger ${path} is closed (the run stopped while this device was still working): the record was not written; run provbench cleanup --ledger ${path} to find what may remain`,
    );
    this.name = 'LedgerClosedError';
  }
}

/**
 * The resource ledger as an append-only JSONL file (mode 0600). Each line is written with one
 * write(2) on an O_APPEND descriptor, so the main thread and every worker can append to the
 * same file without interleaving. A line is on disk before `intend` returns.
 */
export class FileLedger implements Ledger {
  private readonly fd: number;
  private next = 0;
  private closed = false;
  /** Writes refused after close (device work abandoned at a stop, still running). */
  refusedWrites = 0;

  constructor(
    readonly path: string,
    private readonly runId: string,
    /** Distinguishes writers (main thread, worker 1, ...) in keys. */
    private readonly writer: string,
  ) {
    this.fd = openSync(path, 'a', 0o600);
  }

  intend(resource: ResourceRef): LedgerHandle {
    const key = `${this.writer}-${this.next++}`;
    this.append({ op: 'intend', key, runId: this.runId, at: new Date().toISOString(), resource });
    return { key };
  }

  acknowledge(handle: LedgerHandle, details: Partial<ResourceRef> = {}): void {
    this.append({
      op: 'ack',
      key: handle.key,
      runId: this.runId,
      at: new Date().toISOString(),
      resource: details,
    });
  }

  async track<T>(
    resource: ResourceRef,
    create: () => Promise<T>,
    identify?: (result: T) => Partial<ResourceRef>,
  ): Promise<T> {
    const handle = this.intend(resource);
    const result = await create();
    this.acknowledge(handle, identify ? identify(result) : {});
    return result;
  }

  /** Marks a resource as gone, so a resumed cleanup skips it. */
  markDeleted(key: string, runId = this.runId): void {
    this.append({ op: 'deleted', key, runId, at: new Date().toISOString() });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private append(line: LedgerLine): void {
    if (this.closed) {
      this.refusedWrites++;
      throw new LedgerClosedError(this.path);
    }
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
  }
}

/** The ledger file is missing or is not a ledger: bad input, not a failed deletion. */
export class LedgerFileError extends Error {
  override name = 'LedgerFileError';
}

export interface LedgerEntry {
  key: string;
  runId: string;
  resource: ResourceRef;
  /** The creating call returned (false: crashed or failed in between; the resource may exist). */
  acknowledged: boolean;
  deleted: boolean;
}

function missingLedger(path: string): Error {
  return new LedgerFileError(`ledger ${path} does not exist; pass the file a run wrote (--ledger)`);
}

/** Identifies an entry across the runs that share a ledger file: keys are unique within a run. */
export function ledgerEntryId(line: Pick<LedgerLine, 'runId' | 'key'>): string {
  return `${line.runId}\0${line.key}`;
}

/** The ledger's size now: lines appended later (a cleanup's own deletions) are outside it. */
export function ledgerSize(path: string): number {
  if (!existsSync(path)) throw missingLedger(path);
  return statSync(path).size;
}

/**
 * Streams a ledger's records, one line at a time, from its first `endByte` bytes: memory stays
 * flat however long the file. A torn last line (crash mid-write) is ignored; any other bad line
 * is an error naming its line number. `validate: false` skips the schema check (for files
 * already checked up to `endByte`).
 */
export async function* ledgerLines(
  path: string,
  options: { endByte?: number; validate?: boolean } = {},
): AsyncGenerator<LedgerLine> {
  const endByte = options.endByte ?? ledgerSize(path);
  if (endByte === 0) return;
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8', start: 0, end: endByte - 1 }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNumber = 0;
  let badLine: Error | null = null;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    if (badLine) throw badLine;
    let line: LedgerLine;
    try {
      const json: unknown = JSON.parse(text);
      line = options.validate === false ? (json as LedgerLine) : LedgerLineSchema.parse(json);
    } catch (error) {
      badLine = new LedgerFileError(
        `ledger ${path} line ${lineNumber} is not a ledger record: ${(error as Error).message}`,
      );
      continue;
    }
    yield line;
  }
}

/** Validates an intent's resource; the error names the line to fix. */
export function intendedResource(line: LedgerLine, path: string): ResourceRef {
  const parsed = ResourceRefSchema.safeParse(line.resource);
  if (!parsed.success)
    throw new LedgerFileError(`ledger ${path} key ${line.key}: intent without a valid resource`);
  return parsed.data;
}

/**
 * Reads a whole ledger back into memory: intents merged with their acknowledgements, in file
 * order (for inspection and tests; cleanup streams the file with `ledgerLines` instead). A torn last
 * line (crash mid-write) is ignored; any other bad line is an error naming its line number.
 */
export function readLedger(path: string): LedgerEntry[] {
  if (!existsSync(path)) throw missingLedger(path);
  const lines = readFileSync(path, 'utf8').split('\n');
  const entries = new Map<string, LedgerEntry>();
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    let line: LedgerLine;
    try {
      line = LedgerLineSchema.parse(JSON.parse(text));
    } catch (error) {
      if (index === lines.length - 1 || (index === lines.length - 2 && lines.at(-1) === '')) return;
      throw new LedgerFileError(
        `ledger ${path} line ${index + 1} is not a ledger record: ${(error as Error).message}`,
      );
    }
    // Keys are unique within a run; a ledger file reused by several runs keeps them apart.
    const id = ledgerEntryId(line);
    const existing = entries.get(id);
    if (line.op === 'intend') {
      const parsed = ResourceRefSchema.safeParse(line.resource);
      if (!parsed.success)
        throw new LedgerFileError(`ledger ${path} line ${index + 1}: intent without a valid resource`);
      entries.set(id, {
        key: line.key,
        runId: line.runId,
        resource: parsed.data,
        acknowledged: false,
        deleted: false,
      });
    } else if (existing && line.op === 'ack') {
      existing.acknowledged = true;
      existing.resource = { ...existing.resource, ...line.resource, kind: existing.resource.kind };
    } else if (existing && line.op === 'deleted') {
      existing.deleted = true;
    }
  });
  return [...entries.values()];
}
