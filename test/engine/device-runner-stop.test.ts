import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IoTClient } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/contract/scenario.js';
import { ApiCallCounter } from '../../src/engine/api-calls.js';
import { DeviceRunner } from '../../src/engine/device-runner.js';
import type { DeviceList } from '../../src/engine/device-share.js';
import { createLogger } from '../../src/engine/logger.js';
import { MetricsRecorder } from '../../src/engine/recorder.js';
import { FileLedger, LedgerClosedError, readLedger } from '../../src/targets/ledger.js';
import { fixtureFacts } from '../support/scenarios/facts.js';

/** Device code that ignores ctx.signal: it goes on until the test lets it. */
function stubbornScenario(release: Promise<void>, lateWrites: unknown[]): Scenario {
  return {
    id: 'stubborn',
    title: 'ignores its signal',
    facts: fixtureFacts,
    async prepare() {},
    async boot(device, ctx) {
      ctx.ledger.intend({ kind: 'thing', name: device.name });
      await release;
      try {
        ctx.ledger.intend({ kind: 'certificate', thingName: device.name });
      } catch (error) {
        lateWrites.push(error);
        throw error;
      }
    },
    async teardown() {},
  };
}

function devices(count: number): DeviceList {
  return {
    length: count,
    at: (index) => ({
      index,
      name: `dev-${index}`,
      sim: { imsi: '0', iccid: '0', msisdn: '0', imei: '0', ki: '', opc: '', group: 'test' },
      offsetMs: null,
    }),
  };
}

describe('DeviceRunner stop', () => {
  it('reports device code still running after the grace period, and its ledger writes after close are refused', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pb-stop-')), 'ledger.jsonl');
    const ledger = new FileLedger(path, 'run1', 'w0');
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const lateWrites: unknown[] = [];
    const counter = new ApiCallCounter();
    const iot = new IoTClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
    const runner = new DeviceRunner(
      stubbornScenario(released, lateWrites),
      {
        runId: 'run1',
        scenarioId: 'stubborn',
        iot,
        endpoint: {
          target: 'localstack',
          region: 'us-east-1',
          accountId: null,
          controlPlaneUrl: null,
          mqttHost: null,
          mqttPort: null,
          rootCaPem: '',
          kryptonUrl: null,
        },
        ledger,
        options: {
          keyType: 'ec',
          seed: 1,
          quotas: 'none',
          timeoutMs: 60_000,
          maxAttempts: 1,
          variant: null,
          devices: 3,
        },
        log: createLogger('test', 'silent'),
        shared: {},
        tags: [],
        recorder: new MetricsRecorder(Date.now()),
        counter: () => counter,
      },
      { originMs: Date.now(), concurrency: 3, timeoutMs: 60_000, maxInFlight: 10 },
    );
    const run = runner.run(devices(3));
    // Every device has written its first record and waits.
    while (readLedger(path).length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    runner.stop();
    await run;
    expect(runner.stopped).toBe(true);
    // The interrupted devices count neither as succeeded nor as failed.
    expect(runner.progress).toEqual({ started: 3, succeeded: 0, failed: 0 });
    expect(await runner.drain(20)).toBe(3);
    ledger.close();
    release();
    expect(await runner.drain(10_000)).toBe(0);
    expect(lateWrites).toHaveLength(3);
    for (const error of lateWrites) expect(error).toBeInstanceOf(LedgerClosedError);
    expect(ledger.refusedWrites).toBe(3);
    expect(readLedger(path).map((entry) => entry.resource.kind)).toEqual(['thing', 'thing', 'thing']);
    iot.destroy();
  });
});
