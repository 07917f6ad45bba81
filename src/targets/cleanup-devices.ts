import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IoTClient } from '@aws-sdk/client-iot';
import { type CleanupOptions, type CleanupReport, cleanupFromLedger } from './cleanup.js';
import { FileLedger, type LedgerLine, ledgerEntryId, ledgerLines } from './ledger.js';

/** Which ledger entries to delete: by the writer's key and the resource's device index. */
export type DeviceSelection = (key: string, deviceIndex: number) => boolean;

export interface DeviceCleanupReport extends CleanupReport {
  /** Devices that had entries to delete. */
  devices: number;
}

/**
 * Deletes what the ledger records for some devices only (entries with a `deviceIndex` that
 * `select` picks), the way `cleanupFromLedger` deletes a whole run: the picked entries are
 * copied to a ledger of their own, cleaned up there, and their deletions written back to the
 * run's ledger, so the run's final cleanup skips them. For a resumed run's devices cut off
 * mid-way, before they run again.
 */
export async function cleanupDevices(
  iot: IoTClient,
  ledgerPath: string,
  select: DeviceSelection,
  options: CleanupOptions = {},
): Promise<DeviceCleanupReport> {
  const picked = new Set<string>();
  const devices = new Set<number>();
  const lines: LedgerLine[] = [];
  for await (const line of ledgerLines(ledgerPath)) {
    const id = ledgerEntryId(line);
    if (line.op === 'intend') {
      const index = line.resource?.deviceIndex;
      if (index === undefined || !select(line.key, index)) continue;
      picked.add(id);
      devices.add(index);
    }
    if (picked.has(id)) lines.push(line);
  }
  const report: DeviceCleanupReport = { deleted: {}, failed: [], unattributed: [], devices: devices.size };
  if (lines.length === 0) return report;
  const dir = mkdtempSync(join(tmpdir(), 'provbench-device-cleanup-'));
  const subset = join(dir, 'ledger.jsonl');
  try {
    writeFileSync(subset, lines.map((line) => `${JSON.stringify(line)}\n`).join(''), { mode: 0o600 });
    Object.assign(report, await cleanupFromLedger(iot, subset, options));
    writeBackDeletions(subset, lines.length, ledgerPath);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}

/** Appends the deletions the subset's cleanup recorded (after its first `copied` lines) to the run's ledger. */
function writeBackDeletions(subset: string, copied: number, ledgerPath: string): void {
  const added = readFileSync(subset, 'utf8').split('\n').slice(copied);
  const deletions = added
    .filter((text) => text.trim() !== '')
    .map((text) => JSON.parse(text) as LedgerLine)
    .filter((line) => line.op === 'deleted');
  const first = deletions[0];
  if (!first) return;
  const ledger = new FileLedger(ledgerPath, first.runId, `resume${process.pid}`);
  try {
    for (const line of deletions) ledger.markDeleted(line.key, line.runId);
  } finally {
    ledger.close();
  }
}
