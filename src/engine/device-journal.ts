import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
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

/** The journal's records (none when the file does not exist); a torn last line is ignored. */
export function readDeviceJournal(path: string): DeviceRecord[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const records: DeviceRecord[] = [];
  lines.forEach((text, position) => {
    if (text.trim() === '') return;
    const parsed = DeviceRecordSchema.safeParse(parseOrNull(text));
    if (parsed.success) records.push(parsed.data);
    else if (position < lines.length - 2 || (position === lines.length - 2 && lines.at(-1) !== ''))
      throw new Error(`device journal ${path} line ${position + 1} is not a device record`);
  });
  return records;
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** What earlier attempts finished, per scenario: the devices and their merged measurements. */
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

/**
 * Replays one scenario's journal records into a recorder whose origin is `seconds` before
 * `endAtMs` (where the current attempt's devices start): each attempt is moved to follow the
 * previous one without the time between them, so the series and the duration cover device
 * time only. A device listed twice counts once (its first line).
 */
export function replayFinished(records: readonly DeviceRecord[], endAtMs: number): FinishedDevices {
  const seen = new Map<number, DeviceRecord>();
  for (const record of records) if (!seen.has(record.index)) seen.set(record.index, record);
  const byAttempt = new Map<number, DeviceRecord[]>();
  for (const record of seen.values()) {
    const list = byAttempt.get(record.attempt) ?? [];
    list.push(record);
    byAttempt.set(record.attempt, list);
  }
  const attempts = [...byAttempt.entries()].sort(([a], [b]) => a - b);
  const spans = attempts.map(([, list]) => {
    const from = Math.min(...list.map((record) => record.startedAtMs));
    const to = Math.max(...list.map((record) => record.endedAtMs));
    return { from, to };
  });
  const spanMs = spans.reduce((sum, span) => sum + (span.to - span.from), 0);
  // Whole seconds past the last end, so no second holds devices of two attempts.
  const seconds = Math.floor(spanMs / 1000) + 1;
  const recorder = new MetricsRecorder(endAtMs - seconds * 1000);
  const apiCalls: Record<string, ApiCallTally> = {};
  let placedAt = endAtMs - seconds * 1000;
  attempts.forEach(([, list], position) => {
    const span = spans[position] as { from: number; to: number };
    const shift = placedAt - span.from;
    for (const record of list) replayDevice(recorder, apiCalls, record, shift);
    placedAt += span.to - span.from;
  });
  return { indices: new Set(seen.keys()), snapshot: recorder.snapshot(apiCalls), seconds };
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
