import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { IoTClient } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { cleanupFromLedger } from '../../src/targets/cleanup.js';
import { FileLedger, ledgerLines } from '../../src/targets/ledger.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function liveHeapBytes(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** A ledger as a pre-issued run writes it: certificate, thing and both attachments per device. */
function writeRunLedger(path: string, devices: number): void {
  const ledger = new FileLedger(path, 'bigrun', 's0w0');
  for (let index = 0; index < devices; index++) {
    const thingName = `bigrun-pre-issued-${String(index).padStart(6, '0')}`;
    const id = index.toString(16).padStart(64, 'c');
    const arn = `arn:aws:iot:us-east-1:000000000000:cert/${id}`;
    const certificate = ledger.intend({ kind: 'certificate', thingName, deviceIndex: index });
    ledger.acknowledge(certificate, { id, arn });
    ledger.acknowledge(ledger.intend({ kind: 'thing', name: thingName, deviceIndex: index }));
    ledger.acknowledge(
      ledger.intend({
        kind: 'policy-principal',
        policyName: 'bigrun-device',
        principal: arn,
        deviceIndex: index,
      }),
    );
    ledger.acknowledge(
      ledger.intend({ kind: 'thing-principal', thingName, principal: arn, deviceIndex: index }),
    );
  }
  ledger.close();
}

describe('cleanup of a large ledger', () => {
  it('streams the ledger: deletes every entry in dependency order without holding the entries in memory', async () => {
    const devices = 8_000;
    const path = join(mkdtempSync(join(tmpdir(), 'pb-cleanup-memory-')), 'ledger.jsonl');
    writeRunLedger(path, devices);
    const sent: string[] = [];
    let peakHeap = 0;
    const client = {
      send: async (command: object) => {
        sent.push(command.constructor.name);
        if (sent.length % 5_000 === 0) peakHeap = Math.max(peakHeap, liveHeapBytes());
        return {};
      },
    } as unknown as IoTClient;
    const baseline = liveHeapBytes();
    const report = await cleanupFromLedger(client, path, { concurrency: 8 });

    expect(report.failed).toEqual([]);
    expect(report.deleted).toEqual({
      'thing-principal': devices,
      'policy-principal': devices,
      certificate: devices,
      thing: devices,
    });
    const lastDetach = sent.lastIndexOf('DetachThingPrincipalCommand');
    expect(lastDetach).toBeLessThan(sent.indexOf('DeleteCertificateCommand'));
    expect(sent.lastIndexOf('DeleteCertificateCommand')).toBeLessThan(sent.indexOf('DeleteThingCommand'));
    let deletedLines = 0;
    for await (const line of ledgerLines(path)) if (line.op === 'deleted') deletedLines++;
    expect(deletedLines).toBe(4 * devices);
    // The 32,000 entries held at once would take about 13 MB (and reading the whole 13 MB file
    // more); streamed, only the deletions in flight and a read buffer are live.
    expect(readFileSync(path).length).toBeGreaterThan(10 * 2 ** 20);
    expect(peakHeap - baseline).toBeLessThan(6 * 2 ** 20);
  }, 60_000);
});
