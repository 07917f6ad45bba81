/**
 * Peak memory of a large pre-issued run: harness and embedded emulator together.
 *
 *   npx tsx bench/fleet-memory.ts [--devices 100000] [--concurrency 64] [--scenario pre-issued]
 *
 * Runs `provbench run` (quotas none, EC keys: AWS's 10 TPS would make 100,000 devices take
 * hours) and samples, once a second, the summed RSS of its whole process tree (the harness
 * with its worker threads, and the emulator child process). Prints the peak and the result.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '64' },
    scenario: { type: 'string', default: 'pre-issued' },
  },
});

const PAGE_BYTES = 4096;

/** Parent pid of every live process, from /proc. */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  return parents;
}

function treeRssBytes(root: number): number {
  const parents = parentsByPid();
  const inTree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!inTree.has(pid) && inTree.has(parent)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of inTree) {
    try {
      const resident = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
      total += resident * PAGE_BYTES;
    } catch {
      // ended
    }
  }
  return total;
}

const out = await mkdtemp(join(tmpdir(), 'provbench-fleet-memory-'));
const args = [
  'bin/provbench.js',
  'run',
  '--scenario',
  values.scenario,
  '--devices',
  values.devices,
  '--concurrency',
  values.concurrency,
  '--quotas',
  'none',
  '--key-type',
  'ec',
  '--out',
  out,
];
console.log(`node ${args.join(' ')}`);
const started = Date.now();
const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, treeRssBytes(child.pid ?? 0));
}, 1000);
const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
clearInterval(sampler);
const seconds = (Date.now() - started) / 1000;
const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
  scenarios: { summary: { devices: { succeeded: number; failed: number }; devicesPerSecond: number } }[];
};
const summary = result.scenarios[0]?.summary;
console.log(`exit ${code}; wall ${seconds.toFixed(0)} s`);
console.log(
  `devices succeeded ${summary?.devices.succeeded}, failed ${summary?.devices.failed}, ${summary?.devicesPerSecond.toFixed(1)} devices/s`,
);
console.log(
  `peak RSS, harness + emulator process tree: ${(peak / 2 ** 20).toFixed(0)} MiB (limit 1,536 MiB)`,
);
