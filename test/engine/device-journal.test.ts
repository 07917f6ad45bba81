import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DeviceJournal,
  type DeviceRecord,
  DeviceTape,
  journalRecords,
  replayFinished,
  shiftSeries,
  surveyFinished,
} from '../../src/engine/device-journal.js';
import { deviceList, remainingShare } from '../../src/engine/device-share.js';
import { MetricsRecorder } from '../../src/engine/recorder.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';

async function collect(path: string): Promise<DeviceRecord[]> {
  const records: DeviceRecord[] = [];
  for await (const line of journalRecords(path)) records.push(line);
  return records;
}

async function* each(records: readonly DeviceRecord[]): AsyncGenerator<DeviceRecord> {
  yield* records;
}

function record(
  index: number,
  attempt: number,
  startedAtMs: number,
  ms: number,
  connected = true,
): DeviceRecord {
  return {
    scenario: 0,
    index,
    attempt,
    connected,
    startedAtMs,
    endedAtMs: startedAtMs + ms,
    timeToConnectedMs: connected ? ms : 0,
    ...(connected ? {} : { failure: 'timeout' }),
    phases: [['boot', ms]],
    phaseErrors: connected ? [] : [['boot', 'timeout', 'device 1 not connected']],
    apiCalls: { CreateThing: { calls: 1, attempts: 2, retries: { throttled: 1 } } },
  };
}

describe('device journal', () => {
  it('a tape records into its thread recorder as before and keeps the device for the journal', () => {
    const thread = new MetricsRecorder(1_000);
    const tape = new DeviceTape(thread);
    tape.deviceStarted(1_100);
    tape.phaseTime('boot', 40);
    tape.deviceSucceeded(1_140, 40);
    const line = tape.record(
      { scenario: 1, index: 7, attempt: 2 },
      { endedAtMs: 1_140, timeToConnectedMs: 40 },
    );
    expect(line).toMatchObject({ scenario: 1, index: 7, attempt: 2, connected: true, startedAtMs: 1_100 });
    expect(line.phases).toEqual([['boot', 40]]);
    const snapshot = thread.snapshot({});
    expect(snapshot.devices).toEqual({ started: 1, succeeded: 1, failed: 0 });
    expect(LatencyHistogram.decode(snapshot.phases.boot?.histogram as never).count).toBe(1);
  });

  it('is read back whole; a torn last line (a crash mid-write) is ignored, a bad line elsewhere is an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-journal-'));
    const path = join(dir, 'devices.jsonl');
    const journal = new DeviceJournal(path);
    journal.append(record(0, 1, 0, 10));
    journal.append(record(1, 1, 0, 10));
    journal.close();
    appendFileSync(path, '{"scenario":0,"ind');
    expect((await collect(path)).map((r) => r.index)).toEqual([0, 1]);
    writeFileSync(path, `not json\n${JSON.stringify(record(2, 1, 0, 10))}\n`);
    await expect(collect(path)).rejects.toThrow(/line 1 is not a device record/);
    expect(await collect(join(dir, 'missing.jsonl'))).toEqual([]);
  });

  it('replays earlier attempts end to end, without the time between them, each device once', async () => {
    const hour = 3_600_000;
    const records = [
      record(0, 1, 10_000, 500),
      record(1, 1, 10_500, 1_500), // attempt 1 spans 10.0 s .. 12.0 s
      record(2, 2, 10_000 + hour, 1_000, false), // attempt 2 spans 1 s, an hour later
      record(1, 2, 10_000 + hour, 900), // listed again: the first line counts
    ];
    const endAtMs = 20_000 + 2 * hour;
    const source = () => each(records);
    const replay = await replayFinished(source, await surveyFinished(source), endAtMs);
    expect([...replay.indices].sort()).toEqual([0, 1, 2]);
    expect(replay.seconds).toBe(4);
    const { snapshot } = replay;
    expect(snapshot.devices).toEqual({ started: 3, succeeded: 2, failed: 1 });
    expect(snapshot.firstStartMs).toBe(endAtMs - 4_000);
    expect((snapshot.lastEndMs as number) - (snapshot.firstStartMs as number)).toBe(3_000);
    expect(snapshot.apiCalls.CreateThing).toEqual({ calls: 3, attempts: 6, retries: { throttled: 3 } });
    expect(snapshot.errors).toEqual([
      { phase: 'boot', errorClass: 'timeout', count: 1, sample: 'device 1 not connected' },
    ]);
    expect(LatencyHistogram.decode(snapshot.timeToConnected).count).toBe(2);
    expect(snapshot.series.reduce((sum, point) => sum + point.started, 0)).toBe(3);
    expect(Math.max(...snapshot.series.map((point) => point.second))).toBeLessThan(4);
    expect(shiftSeries(snapshot, 4).series.map((point) => point.second)).toEqual(
      snapshot.series.map((point) => point.second + 4),
    );
  });
});

describe('remaining devices of a resumed run', () => {
  it('deals the devices not finished round-robin, each arriving as the shard’s k-th device would', () => {
    const finished = new Set([0, 1, 5]);
    const shares = [0, 1].map((worker) => remainingShare(10, null, worker, 2, finished));
    expect(shares[0]).toEqual({ indices: [2, 4, 7, 9], arrivals: [0, 2, 4, 6] });
    expect(shares[1]).toEqual({ indices: [3, 6, 8], arrivals: [1, 3, 5] });
    // Shard 2 of 2 (devices 1, 3, 5, 7, 9) keeps its place in the whole run's arrivals.
    expect(remainingShare(10, { index: 1, count: 2 }, 0, 1, finished)).toEqual({
      indices: [3, 7, 9],
      arrivals: [1, 3, 5],
    });
  });

  it('open models start the remaining devices from the start, not at the finished devices’ times', () => {
    const remaining = remainingShare(10, null, 0, 1, new Set([0, 1, 2, 3]));
    const list = deviceList({
      first: 0,
      step: 1,
      end: 10,
      runId: 'r',
      scenarioId: 's',
      arrivalModel: { kind: 'constant-rate', rate: 10 },
      sims: { seed: 1 },
      remaining,
    });
    expect(list.length).toBe(6);
    expect(list.at(0)).toMatchObject({ index: 4, offsetMs: 0 });
    expect(list.at(5)).toMatchObject({ index: 9, offsetMs: 500 });
  });
});
