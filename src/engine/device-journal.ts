import { closeSync, createReadStream, existsSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { ErrorClass } from '../metrics/result-schema.js';
import { type ApiCallTally, mergeApiCalls } from '../metrics/tallies.js';
import type { DeviceTrafficReport } from '../network/traffic.js';
import { ApiCallCounter } from './api-calls.js';
import { type DeviceRecorder, MetricsRecorder, type MetricsSnapshot } from './recorder.js';

/**
 * The device journal (`devices.jsonl` in the run dir): one line per device that finished
 * (connected, or failed and counted), written when it finished, with everything measured for
 * it. A resumed run skips the devices it lists and replays their measurements into its result.
 * Lines are appended with one write(2) each on an O_APPEND descriptor, like the ledger, so the
 * workers share the file; a torn last line (crash mid-write) is ignored.
 */
const TallySchema = z.object({
  calls: z.number(),
  attempts: z.number(),
  retries: z.record(z.string(), z.number()),
  failed: z.record(z.string(), z.number()).optional(),
  pacedAttempts: z.number().optional(),
  pacedWaitMs: z.number().optional(),
});

const DeviceRecordSchema = z.object({
  /** Position of the scenario in the run. */
  scenario: z.number().int(),
  index: z.number().int(),
  /** Which attempt of the run (1: the first, 2: the first resume...). */
  attempt: z.number().int(),
  connected: z.boolean(),
  startedAtMs: z.number(),
  endedAtMs: z.number(),
  timeToConnectedMs: z.number(),
  failure: z.string().optional(),
  phases: z.array(z.tuple([z.string(), z.number()])),
  phaseErrors: z.array(z.tuple([z.string(), z.string(), z.string()])),
  apiCalls: z.record(z.string(), TallySchema),
  traffic: z.unknown().optional(),
});
export type DeviceRecord = z.infer<typeof DeviceRecordSchema>;

/**
 * Records one device into its thread's recorder, as before, and keeps a copy of what it
 * recorded for the journal. Its `apiCalls` counter is the device's own (see deviceClient).
 */
export class DeviceTape implements DeviceRecorder {
  readonly apiCalls = new ApiCallCounter();
  private startedAtMs = 0;
  private readonly phases: Array<[string, number]> = [];
  private readonly phaseErrors: Array<[string, string, string]> = [];
  private traffic: DeviceTrafficReport | undefined;

  constructor(private readonly into: DeviceRecorder) {}

  deviceStarted(atMs: number): void {
    this.startedAtMs = atMs;
    this.into.deviceStarted(atMs);
  }

  deviceSucceeded(atMs: number, timeToConnectedMs: number): void {
    this.into.deviceSucceeded(atMs, timeToConnectedMs);
  }

  deviceFailed(atMs: number, errorClass: ErrorClass): void {
    this.into.deviceFailed(atMs, errorClass);
  }

  deviceTraffic(report: DeviceTrafficReport): void {
    this.traffic = report;
    this.into.deviceTraffic(report);
  }

  phaseTime(name: string, durationMs: number): void {
    this.phases.push([name, durationMs]);
    this.into.phaseTime(name, durationMs);
  }

  phaseError(name: string, errorClass: ErrorClass, sample: string): void {
    this.phaseErrors.push([name, errorClass, sample]);
    this.into.phaseError(name, errorClass, sample);
  }

  /** The journal line of this device, once it ended (connected or failed). */
  record(
    where: { scenario: number; index: number; attempt: number },
    end: { endedAtMs: number; timeToConnectedMs: number; failure?: ErrorClass },
  ): DeviceRecord {
    return {
      ...where,
      connected: end.failure === undefined,
      startedAtMs: this.startedAtMs,
      endedAtMs: end.endedAtMs,
      timeToConnectedMs: end.timeToConnectedMs,
      ...(end.failure ? { failure: end.failure } : {}),
      phases: this.phases,
      phaseErrors: this.phaseErrors,
      apiCalls: this.apiCalls.snapshot(),
      ...(this.traffic ? { traffic: this.traffic } : {}),
    };
  }
}

/** Appends device records to the journal file (mode 0600). */
export class DeviceJournal {
  private readonly fd: number;
  private closed = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a', 0o600);
  }

  append(record: DeviceRecord): void {
    // After close (device code abandoned at a stop): not recorded, so the device runs again.
    if (this.closed) return;
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/**
 * Streams the journal's records (none when the file does not exist), one line at a time, so
 * memory does not grow with the fleet. A torn last line (a crash mid-write) is ignored; a bad
 * line elsewhere is an error naming it.
 */
export async function* journalRecords(path: string): AsyncGenerator<DeviceRecord> {
  if (!existsSync(path)) return;
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNumber = 0;
  let badLine: Error | null = null;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    if (badLine) throw badLine;
    const parsed = DeviceRecordSchema.safeParse(parseOrNull(text));
    if (parsed.success) yield parsed.data;
    else badLine = new Error(`device journal ${path} line ${lineNumber} is not a device record`);
  }
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Records of one scenario, read afresh on each call (the replay reads them twice). */
export type RecordSource = () => AsyncIterable<DeviceRecord>;

/** First pass: which devices earlier attempts finished, and each attempt's device span. */
export interface FinishedSurvey {
  indices: Set<number>;
  /** Per attempt: first device start and last device end (epoch ms), of first lines only. */
  spans: Map<number, { from: number; to: number }>;
}

/** Earlier attempts' devices, replayed: their merged measurements. */
export interface FinishedDevices {
  indices: Set<number>;
  /** Earlier attempts' devices, laid end to end (the time between attempts left out). */
  snapshot: MetricsSnapshot;
  /**
   * The earlier attempts' device time in whole seconds: their series fills seconds 0 to this,
   * and the current attempt's series follows (shiftSeries).
   */
  seconds: number;
}

/** Which devices the records list (a device listed twice counts once: its first line). */
export async function surveyFinished(records: RecordSource): Promise<FinishedSurvey> {
  const indices = new Set<number>();
  const spans = new Map<number, { from: number; to: number }>();
  for await (const record of records()) {
    if (indices.has(record.index)) continue;
    indices.add(record.index);
    const span = spans.get(record.attempt);
    if (span) {
      span.from = Math.min(span.from, record.startedAtMs);
      span.to = Math.max(span.to, record.endedAtMs);
    } else spans.set(record.attempt, { from: record.startedAtMs, to: record.endedAtMs });
  }
  return { indices, spans };
}

/**
 * Replays the surveyed records into a recorder whose origin is `seconds` before `endAtMs`
 * (where the current attempt's devices start): each attempt is moved to follow the previous
 * one without the time between them, so the series and the duration cover device time only.
 * A device listed twice counts once (its first line).
 */
export async function replayFinished(
  records: RecordSource,
  survey: FinishedSurvey,
  endAtMs: number,
): Promise<FinishedDevices> {
  const attempts = [...survey.spans.entries()].sort(([a], [b]) => a - b);
  const spanMs = attempts.reduce((sum, [, span]) => sum + (span.to - span.from), 0);
  // Whole seconds past the last end, so no second holds devices of two attempts.
  const seconds = Math.floor(spanMs / 1000) + 1;
  const shifts = new Map<number, number>();
  let placedAt = endAtMs - seconds * 1000;
  for (const [attempt, span] of attempts) {
    shifts.set(attempt, placedAt - span.from);
    placedAt += span.to - span.from;
  }
  const recorder = new MetricsRecorder(endAtMs - seconds * 1000);
  const apiCalls: Record<string, ApiCallTally> = {};
  const seen = new Set<number>();
  for await (const record of records()) {
    if (seen.has(record.index)) continue;
    seen.add(record.index);
    replayDevice(recorder, apiCalls, record, shifts.get(record.attempt) ?? 0);
  }
  return { indices: survey.indices, snapshot: recorder.snapshot(apiCalls), seconds };
}

function replayDevice(
  recorder: MetricsRecorder,
  apiCalls: Record<string, ApiCallTally>,
  record: DeviceRecord,
  shiftMs: number,
): void {
  recorder.deviceStarted(record.startedAtMs + shiftMs);
  for (const [name, ms] of record.phases) recorder.phaseTime(name, ms);
  for (const [name, errorClass, sample] of record.phaseErrors)
    recorder.phaseError(name, errorClass as ErrorClass, sample);
  mergeApiCalls(apiCalls, record.apiCalls);
  if (record.connected) recorder.deviceSucceeded(record.endedAtMs + shiftMs, record.timeToConnectedMs);
  else recorder.deviceFailed(record.endedAtMs + shiftMs, (record.failure ?? 'protocol_error') as ErrorClass);
  if (record.traffic) recorder.deviceTraffic(record.traffic as DeviceTrafficReport);
}

/** `snapshot` with its series moved `seconds` later (to follow earlier attempts' devices). */
export function shiftSeries(snapshot: MetricsSnapshot, seconds: number): MetricsSnapshot {
  return {
    ...snapshot,
    series: snapshot.series.map((point) => ({ ...point, second: point.second + seconds })),
  };
}
