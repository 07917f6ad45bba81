import type { ErrorClass } from '../metrics/result-schema.js';
import type { ApiCallTally } from '../metrics/tallies.js';
import type { DeviceTrafficReport } from '../network/traffic.js';
import { MetricsRecorder } from './recorder.js';

/** The phase name the device runner records open-model start lag under. */
export const SCHEDULE_LAG_PHASE = 'schedule-lag';

/** Per-API deltas of one report: logical calls, attempts, retried failures by error class, throttled answers. */
export interface LiveApiDelta {
  calls: number;
  attempts: number;
  retries: Record<string, number>;
  /** Throttled answers, retried or not. */
  throttled: number;
}

/** A thread's cumulative API figures, as ApiCallCounter gives them. */
export interface ApiFigures {
  tallies: Record<string, ApiCallTally>;
  /** Throttled answers per API (ApiCallCounter.throttledAnswers()). */
  throttled: Record<string, number>;
}

/**
 * What one worker measured since its previous report (every ~1 s): counts as deltas, latencies
 * as the raw observations in seconds. Plain data: it crosses the worker boundary.
 */
export interface LiveReport {
  started: number;
  succeeded: number;
  /** Failed devices by error class. */
  failed: Record<string, number>;
  timeToConnectedSeconds: number[];
  /** Phase durations in seconds by phase name (schedule lag excluded). */
  phaseSeconds: Record<string, number[]>;
  /** Errors by phase, then by error class. */
  phaseErrors: Record<string, Record<string, number>>;
  /** Open models: how late each device started, in seconds. */
  scheduleLagSeconds: number[];
  /** Field-link bytes (sent + received) of each device that ended. */
  deviceBytes: number[];
  bytesSent: number;
  bytesReceived: number;
  apiCalls: Record<string, LiveApiDelta>;
}

function emptyReport(): LiveReport {
  return {
    started: 0,
    succeeded: 0,
    failed: {},
    timeToConnectedSeconds: [],
    phaseSeconds: {},
    phaseErrors: {},
    scheduleLagSeconds: [],
    deviceBytes: [],
    bytesSent: 0,
    bytesReceived: 0,
    apiCalls: {},
  };
}

/** True when the report carries nothing: a worker that has nothing new sends nothing. */
export function isEmptyReport(report: LiveReport): boolean {
  return (
    report.started === 0 &&
    report.succeeded === 0 &&
    Object.keys(report.failed).length === 0 &&
    report.timeToConnectedSeconds.length === 0 &&
    Object.keys(report.phaseSeconds).length === 0 &&
    Object.keys(report.phaseErrors).length === 0 &&
    report.scheduleLagSeconds.length === 0 &&
    report.deviceBytes.length === 0 &&
    Object.keys(report.apiCalls).length === 0
  );
}

/** Differences between two cumulative API figures (`previous` may lack APIs seen since). */
export function apiCallDeltas(current: ApiFigures, previous: ApiFigures): Record<string, LiveApiDelta> {
  const deltas: Record<string, LiveApiDelta> = {};
  for (const [api, tally] of Object.entries(current.tallies)) {
    const before = previous.tallies[api];
    const retries: Record<string, number> = {};
    for (const [errorClass, count] of Object.entries(tally.retries)) {
      const delta = count - (before?.retries[errorClass] ?? 0);
      if (delta > 0) retries[errorClass] = delta;
    }
    const calls = tally.calls - (before?.calls ?? 0);
    const attempts = tally.attempts - (before?.attempts ?? 0);
    const throttled = (current.throttled[api] ?? 0) - (previous.throttled[api] ?? 0);
    if (calls > 0 || attempts > 0 || throttled > 0 || Object.keys(retries).length > 0)
      deltas[api] = { calls, attempts, retries, throttled };
  }
  return deltas;
}

/**
 * A MetricsRecorder that also keeps what happened since the last `drain()`, for live metrics.
 * The snapshot it hands over at the end is the same as a plain recorder's.
 */
export class LiveRecorder extends MetricsRecorder {
  private pending = emptyReport();
  private apiReported: ApiFigures = { tallies: {}, throttled: {} };

  override deviceStarted(atMs: number): void {
    super.deviceStarted(atMs);
    this.pending.started++;
  }

  override deviceSucceeded(atMs: number, timeToConnectedMs: number): void {
    super.deviceSucceeded(atMs, timeToConnectedMs);
    this.pending.succeeded++;
    this.pending.timeToConnectedSeconds.push(Math.max(0, timeToConnectedMs) / 1000);
  }

  override deviceFailed(atMs: number, errorClass: ErrorClass): void {
    super.deviceFailed(atMs, errorClass);
    this.pending.failed[errorClass] = (this.pending.failed[errorClass] ?? 0) + 1;
  }

  override deviceTraffic(report: DeviceTrafficReport): void {
    super.deviceTraffic(report);
    const { bytesSent, bytesReceived } = report.device;
    this.pending.bytesSent += bytesSent;
    this.pending.bytesReceived += bytesReceived;
    this.pending.deviceBytes.push(bytesSent + bytesReceived);
  }

  override phaseTime(name: string, durationMs: number): void {
    super.phaseTime(name, durationMs);
    const seconds = Math.max(0, durationMs) / 1000;
    if (name === SCHEDULE_LAG_PHASE) {
      this.pending.scheduleLagSeconds.push(seconds);
      return;
    }
    const list = this.pending.phaseSeconds[name];
    if (list) list.push(seconds);
    else this.pending.phaseSeconds[name] = [seconds];
  }

  override phaseError(name: string, errorClass: ErrorClass, sample: string): void {
    super.phaseError(name, errorClass, sample);
    const byClass = this.pending.phaseErrors[name] ?? {};
    this.pending.phaseErrors[name] = byClass;
    byClass[errorClass] = (byClass[errorClass] ?? 0) + 1;
  }

  /**
   * What happened since the previous drain; `api` is the thread's cumulative API figures, of
   * which the report carries the difference.
   */
  drain(api: ApiFigures = { tallies: {}, throttled: {} }): LiveReport {
    const report = this.pending;
    report.apiCalls = apiCallDeltas(api, this.apiReported);
    this.apiReported = api;
    this.pending = emptyReport();
    return report;
  }
}
