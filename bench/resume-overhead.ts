/**
 * What making a run resumable costs the harness: N no-op devices through the engine with the
 * device journal (a tape per device, one journal line each) and without, alternating rounds in
 * one process; CPU time of the process (main thread and workers) per device, and the journal's
 * size per device.
 *
 *   node --import tsx bench/resume-overhead.ts [devices] [rounds]
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResumeState } from '../src/engine/resume-state.js';
import { runScenarios } from '../src/engine/run.js';
import { fixtureRef, testConfig } from '../test/support/offline-target.js';

const devices = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 2);

async function round(journaled: boolean): Promise<{ cpuMsPerDevice: number; journalBytesPerDevice: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-resume-bench-'));
  const before = process.cpuUsage();
  await runScenarios(
    testConfig({
      runId: 'resumebench',
      scenarios: [fixtureRef('noop')],
      devices,
      model: { kind: 'concurrency', concurrency: 256 },
      timeoutMs: 60_000,
      maxAttempts: 1,
      simFor: undefined,
      workers: undefined,
      ledgerPath: join(dir, 'ledger.jsonl'),
      ...(journaled ? { resume: new ResumeState(dir, 1) } : {}),
    }),
  );
  const used = process.cpuUsage(before);
  const journal = join(dir, 'devices.jsonl');
  return {
    cpuMsPerDevice: (used.user + used.system) / 1000 / devices,
    journalBytesPerDevice: journaled ? statSync(journal).size / devices : 0,
  };
}

for (let r = 1; r <= rounds; r++) {
  const plain = await round(false);
  const journaled = await round(true);
  console.log(
    `round ${r}: ${devices} devices, CPU per device ${plain.cpuMsPerDevice.toFixed(3)} ms without the journal, ${journaled.cpuMsPerDevice.toFixed(3)} ms with it (${((journaled.cpuMsPerDevice / plain.cpuMsPerDevice - 1) * 100).toFixed(1)} % more); journal ${journaled.journalBytesPerDevice.toFixed(0)} B per device`,
  );
}
