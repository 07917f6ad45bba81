import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLedger, LedgerClosedError, readLedger } from '../../src/targets/ledger.js';

describe('a closed ledger', () => {
  it('refuses and counts a write after close, and never writes to the descriptor number reused since', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-ledger-close-'));
    const path = join(dir, 'ledger.jsonl');
    const ledger = new FileLedger(path, 'run1', 'w0');
    const handle = ledger.intend({ kind: 'thing', name: 'run1-thing-0' });
    ledger.close();
    // The next file opened gets the number the ledger had: a write to it would land here.
    const otherPath = join(dir, 'other.txt');
    const other = openSync(otherPath, 'a');
    try {
      expect(() => ledger.acknowledge(handle, { arn: 'arn:thing' })).toThrow(LedgerClosedError);
      expect(() => ledger.intend({ kind: 'certificate', thingName: 'run1-thing-1' })).toThrow(
        /closed .*provbench cleanup --ledger/,
      );
      // track() refuses before it calls create: nothing is made that the ledger does not show.
      let created = false;
      await expect(
        ledger.track({ kind: 'policy', name: 'p' }, async () => {
          created = true;
        }),
      ).rejects.toThrow(LedgerClosedError);
      expect(created).toBe(false);
      expect(ledger.refusedWrites).toBe(3);
    } finally {
      closeSync(other);
    }
    expect(readFileSync(otherPath, 'utf8')).toBe('');
    expect(readLedger(path)).toMatchObject([{ key: 'w0-0', acknowledged: false }]);
    ledger.close();
  });
});
