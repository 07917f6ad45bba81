import { describe, expect, it } from 'vitest';
import { ThrottledError } from '../../src/contract/errors.js';
import { withRetries } from '../../src/contract/retry.js';
import { ApiCallCounter, reportingCounter } from '../../src/engine/api-calls.js';
import { LiveMetrics } from '../../src/engine/live-metrics.js';
import { apiCallDeltas, isEmptyReport, LiveRecorder } from '../../src/engine/live-tally.js';

const traffic = (sent: number, received: number) => ({
  device: {
    bytesSent: sent,
    bytesReceived: received,
    connections: 1,
    tlsHandshakes: 1,
    connectedMs: 0,
    mqttMessages: 0,
    mqttBilledUnits: 0,
  },
  phases: {},
});

/** The value of one exposition line: `name{labels} value`, labels matched as a substring each. */
function sample(text: string, name: string, ...labels: string[]): number | undefined {
  const line = text
    .split('\n')
    .find((row) => row.startsWith(`${name}{`) && labels.every((label) => row.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('LiveRecorder', () => {
  it('reports what happened since the previous drain, and the end snapshot stays complete', () => {
    const recorder = new LiveRecorder(Date.now());
    recorder.deviceStarted(Date.now());
    recorder.deviceStarted(Date.now());
    recorder.phaseTime('schedule-lag', 250);
    recorder.phaseTime('boot', 1500);
    recorder.deviceSucceeded(Date.now(), 1750);
    recorder.phaseError('boot', 'throttled', 'slow down');
    recorder.deviceFailed(Date.now(), 'throttled');
    recorder.deviceTraffic(traffic(100, 300));
    const first = recorder.drain({
      tallies: { CreateThing: { calls: 2, attempts: 3, retries: { throttled: 1 } } },
      throttled: { CreateThing: 2 },
    });
    expect(first).toMatchObject({
      started: 2,
      succeeded: 1,
      failed: { throttled: 1 },
      timeToConnectedSeconds: [1.75],
      phaseSeconds: { boot: [1.5] },
      phaseErrors: { boot: { throttled: 1 } },
      scheduleLagSeconds: [0.25],
      deviceBytes: [400],
      bytesSent: 100,
      bytesReceived: 300,
      apiCalls: { CreateThing: { calls: 2, attempts: 3, retries: { throttled: 1 }, throttled: 2 } },
    });
    const second = recorder.drain({
      tallies: { CreateThing: { calls: 2, attempts: 3, retries: { throttled: 1 } } },
      throttled: { CreateThing: 2 },
    });
    expect(isEmptyReport(second)).toBe(true);
    recorder.deviceStarted(Date.now());
    expect(
      recorder.drain({
        tallies: { CreateThing: { calls: 3, attempts: 4, retries: { throttled: 1 } } },
        throttled: { CreateThing: 2 },
      }),
    ).toMatchObject({
      started: 1,
      apiCalls: { CreateThing: { calls: 1, attempts: 1, retries: {}, throttled: 0 } },
    });
    const snapshot = recorder.snapshot({});
    expect(snapshot.devices).toEqual({ started: 3, succeeded: 1, failed: 1 });
    expect(Object.keys(snapshot.phases).sort()).toEqual(['boot', 'schedule-lag']);
  });

  it('counts APIs first seen in this interval in full', () => {
    expect(
      apiCallDeltas(
        {
          tallies: {
            A: { calls: 1, attempts: 1, retries: {} },
            B: { calls: 2, attempts: 5, retries: { server_error: 3 } },
          },
          throttled: {},
        },
        { tallies: { A: { calls: 1, attempts: 1, retries: {} } }, throttled: {} },
      ),
    ).toEqual({ B: { calls: 2, attempts: 5, retries: { server_error: 3 }, throttled: 0 } });
  });
});

describe('LiveMetrics', () => {
  it('adds worker reports into counters and histograms labelled with run, shard and scenario', async () => {
    const live = new LiveMetrics({ runId: 'r1', shard: '2/3' });
    live.scenarioStarted('jitp', 10);
    const recorder = new LiveRecorder(Date.now());
    for (let i = 0; i < 4; i++) recorder.deviceStarted(Date.now());
    recorder.deviceSucceeded(Date.now(), 800);
    recorder.deviceSucceeded(Date.now(), 4000);
    recorder.deviceFailed(Date.now(), 'timeout');
    const tallies = (calls: number, attempts: number) => ({
      CreateThing: { calls, attempts, retries: { throttled: 2 } },
    });
    live.add('jitp', recorder.drain({ tallies: tallies(3, 5), throttled: { CreateThing: 2 } }));
    // The fourth call's only attempt was throttled too, and ended the call.
    live.add('jitp', recorder.drain({ tallies: tallies(4, 6), throttled: { CreateThing: 3 } }));
    const text = await live.text();
    const scope = ['run_id="r1"', 'shard="2/3"', 'scenario="jitp"'];
    expect(sample(text, 'provbench_devices_planned', ...scope)).toBe(10);
    expect(sample(text, 'provbench_devices_started_total', ...scope)).toBe(4);
    expect(sample(text, 'provbench_devices_succeeded_total', ...scope)).toBe(2);
    expect(sample(text, 'provbench_devices_failed_total', ...scope, 'error_class="timeout"')).toBe(1);
    expect(sample(text, 'provbench_devices_in_flight', ...scope)).toBe(1);
    expect(sample(text, 'provbench_time_to_connected_seconds_count', ...scope)).toBe(2);
    expect(sample(text, 'provbench_time_to_connected_seconds_bucket', ...scope, 'le="1"')).toBe(1);
    expect(sample(text, 'provbench_time_to_connected_seconds_bucket', ...scope, 'le="5"')).toBe(2);
    expect(sample(text, 'provbench_time_to_connected_seconds_sum', ...scope)).toBeCloseTo(4.8);
    expect(sample(text, 'provbench_api_calls_total', ...scope, 'api="CreateThing"')).toBe(4);
    expect(sample(text, 'provbench_api_attempts_total', ...scope, 'api="CreateThing"')).toBe(6);
    expect(sample(text, 'provbench_api_throttled_total', ...scope, 'api="CreateThing"')).toBe(3);
    live.scenarioEnded('jitp');
    expect(sample(await live.text(), 'provbench_devices_in_flight', ...scope)).toBe(0);
  });

  it('counts the main thread’s calls as they go, by stage, beside what the result counts', async () => {
    const live = new LiveMetrics({ runId: 'r1', shard: '1/1' });
    const counter = new ApiCallCounter();
    let stage: 'prepare' | 'cleanup' = 'prepare';
    const counted = reportingCounter(counter, (api) => live.apiObserver('jitp', stage, api));
    const throttledOnce = (attempt: number) =>
      attempt === 1 ? Promise.reject(new ThrottledError('Rate exceeded')) : Promise.resolve('ok');
    const policy = { baseMs: 0, capMs: 0 };
    await withRetries(throttledOnce, { maxAttempts: 3, policy, observer: counted.observer('CreatePolicy') });
    stage = 'cleanup';
    await withRetries(() => Promise.resolve(), {
      maxAttempts: 3,
      policy,
      observer: counted.observer('DeletePolicy'),
    });
    // A call whose only attempt was throttled: it gave up, its answer counts as throttled.
    await expect(
      withRetries(() => Promise.reject(new ThrottledError('Rate exceeded')), {
        maxAttempts: 1,
        policy,
        observer: counted.observer('DeletePolicy'),
      }),
    ).rejects.toThrow('Rate exceeded');
    const text = await live.text();
    const prepare = ['scenario="jitp"', 'stage="prepare"', 'api="CreatePolicy"'];
    const cleanup = ['scenario="jitp"', 'stage="cleanup"', 'api="DeletePolicy"'];
    expect(sample(text, 'provbench_api_calls_total', ...prepare)).toBe(1);
    expect(sample(text, 'provbench_api_attempts_total', ...prepare)).toBe(2);
    expect(sample(text, 'provbench_api_retries_total', ...prepare, 'error_class="throttled"')).toBe(1);
    expect(sample(text, 'provbench_api_throttled_total', ...prepare)).toBe(1);
    expect(sample(text, 'provbench_api_calls_total', ...cleanup)).toBe(2);
    expect(sample(text, 'provbench_api_throttled_total', ...cleanup)).toBe(1);
    // The counter the result is built from counted the same calls.
    expect(counter.snapshot()).toEqual({
      CreatePolicy: { calls: 1, attempts: 2, retries: { throttled: 1 } },
      DeletePolicy: { calls: 2, attempts: 2, retries: {}, failed: { throttled: 1 } },
    });
  });

  it('renders as many series for 10,000 devices as for 20: per scenario, phase, API and class, not per device', async () => {
    const exposition = async (devices: number) => {
      const live = new LiveMetrics({ runId: 'r', shard: '1/1' });
      live.scenarioStarted('jitp', devices);
      const recorder = new LiveRecorder(Date.now());
      for (let i = 0; i < devices; i++) {
        recorder.deviceStarted(Date.now());
        recorder.phaseTime('boot', (i % 97) * 50);
        if (i % 10 === 0) recorder.deviceFailed(Date.now(), i % 20 === 0 ? 'throttled' : 'timeout');
        else recorder.deviceSucceeded(Date.now(), (i % 97) * 50);
        if (i % 1000 === 999 || i === devices - 1) live.add('jitp', recorder.drain());
      }
      return (await live.text()).split('\n');
    };
    const small = await exposition(20);
    const large = await exposition(10_000);
    expect(large.length).toBe(small.length);
    expect(sample(large.join('\n'), 'provbench_devices_started_total')).toBe(10_000);
  });
});
