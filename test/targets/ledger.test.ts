import { appendFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiCallCounter, instrumentIoTClient } from '../../src/engine/api-calls.js';
import { cleanupFromLedger } from '../../src/targets/cleanup.js';
import { createIoTClient } from '../../src/targets/iot-client.js';
import { FileLedger, readLedger } from '../../src/targets/ledger.js';

function freshLedger(): string {
  return join(mkdtempSync(join(tmpdir(), 'pb-ledger-')), 'ledger.jsonl');
}

describe('resource ledger', () => {
  it('records intents before creation and merges acknowledgements, readable by several writers', async () => {
    const path = freshLedger();
    const main = new FileLedger(path, 'run1', 'm0');
    const worker = new FileLedger(path, 'run1', 'w0');
    const created = await worker.track(
      { kind: 'certificate', thingName: 'thing-1' },
      async () => {
        // The intent is on disk while the create call runs.
        expect(readLedger(path)).toMatchObject([{ resource: { kind: 'certificate' }, acknowledged: false }]);
        return { certificateId: 'abc', certificateArn: 'arn:aws:iot:us-east-1:1:cert/abc' };
      },
      (result) => ({ id: result.certificateId, arn: result.certificateArn }),
    );
    expect(created.certificateId).toBe('abc');
    const handle = main.intend({ kind: 'policy', name: 'p' });
    main.markDeleted(handle.key);
    main.close();
    worker.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const entries = readLedger(path);
    expect(entries).toEqual([
      {
        key: 'w0-0',
        runId: 'run1',
        resource: {
          kind: 'certificate',
          thingName: 'thing-1',
          id: 'abc',
          arn: 'arn:aws:iot:us-east-1:1:cert/abc',
        },
        acknowledged: true,
        deleted: false,
      },
      {
        key: 'm0-0',
        runId: 'run1',
        resource: { kind: 'policy', name: 'p' },
        acknowledged: false,
        deleted: true,
      },
    ]);
  });

  it('keeps entries of different runs apart when a ledger file is reused', () => {
    const path = freshLedger();
    for (const runId of ['runA', 'runB']) {
      const ledger = new FileLedger(path, runId, 's0w0');
      ledger.acknowledge(ledger.intend({ kind: 'thing', name: `${runId}-thing` }));
      ledger.close();
    }
    const cleanup = new FileLedger(path, 'runB', 'cleanup');
    cleanup.markDeleted('s0w0-0', 'runA');
    cleanup.close();
    expect(readLedger(path).map((entry) => [entry.runId, entry.resource.name, entry.deleted])).toEqual([
      ['runA', 'runA-thing', true],
      ['runB', 'runB-thing', false],
    ]);
  });

  it('ignores a torn last line (crash mid-write) but reports other corruption with its line number', () => {
    const path = freshLedger();
    const ledger = new FileLedger(path, 'run2', 'm0');
    ledger.intend({ kind: 'thing', name: 't1' });
    ledger.close();
    appendFileSync(path, '{"op":"intend","key":"m0-1","ru');
    expect(readLedger(path).map((entry) => entry.resource.name)).toEqual(['t1']);
    appendFileSync(path, '\n{"op":"intend"}\n');
    const other = freshLedger();
    const second = new FileLedger(other, 'run2', 'm0');
    second.close();
    appendFileSync(
      other,
      'not json\n{"op":"intend","key":"k","runId":"r","at":"x","resource":{"kind":"thing","name":"a"}}\n',
    );
    expect(() => readLedger(other)).toThrow(/line 1/);
    expect(() => readLedger(join(tmpdir(), 'missing-ledger.jsonl'))).toThrow(/--ledger/);
  });

  it('cleanup stops early when the control plane is unreachable and leaves everything for a rerun', async () => {
    const path = freshLedger();
    const ledger = new FileLedger(path, 'run3', 'm0');
    for (let i = 0; i < 5; i++) ledger.acknowledge(ledger.intend({ kind: 'thing', name: `t${i}` }));
    ledger.close();
    const counter = new ApiCallCounter();
    const iot = instrumentIoTClient(
      createIoTClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        requestTimeoutMs: 2_000,
      }),
      { maxAttempts: 2, counter: () => counter },
    );
    const report = await cleanupFromLedger(iot, path, { concurrency: 1 });
    iot.destroy();
    expect(report.deleted).toEqual({});
    expect(report.failed).toHaveLength(5);
    expect(report.failed.slice(1).every((failure) => /unreachable/.test(failure.message))).toBe(true);
    // One thing was tried (ListThingPrincipals, with one retry); the other four were not.
    expect(counter.snapshot().ListThingPrincipals?.calls).toBe(1);
    expect(readLedger(path).every((entry) => !entry.deleted)).toBe(true);
  });
});
