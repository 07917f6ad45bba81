/**
 * Peak memory of a large pre-issued run: harness and embedded emulator together.
 *
 *   npx tsx bench/fleet-memory.ts [--devices 100000] [--concurrency 64] [--scenario pre-issued]
 *
 * Runs `provbench run` (quotas none, EC keys: AWS's 10 TPS would make 100,000 devices take
 * hours) and samples, once a second, the RSS of its process tree: the harness process (main
 * thread and worker threads share it) and its descendants (the emulator child). Prints the peak
 * of the whole tree and of each half, with the second of the run each peak was seen at.
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

function rssBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
  } catch {
    return 0; // ended
  }
}

/** RSS of `root` itself and of all its descendants. */
function treeRssBytes(root: number): { own: number; descendants: number } {
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
  let descendants = 0;
  for (const pid of inTree) if (pid !== root) descendants += rssBytes(pid);
  return { own: rssBytes(root), descendants };
}

/** The largest value seen and when (seconds since the run started). */
class Peak {
  bytes = 0;
  atSecond = 0;
  see(bytes: number, atSecond: number): void {
    if (bytes > this.bytes) {
      this.bytes = bytes;
      this.atSecond = atSecond;
    }
  }
  toString(): string {
    return `${(this.bytes / 2 ** 20).toFixed(0)} MiB (at ${this.atSecond.toFixed(0)} s)`;
  }
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
  // The harness's own speed and memory: loopback, no field link.
  '--network',
  'none',
  '--out',
  out,
];
console.log(`node ${args.join(' ')}`);
const started = Date.now();
const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const peakTree = new Peak();
const peakHarness = new Peak();
const peakEmulator = new Peak();
const sampler = setInterval(() => {
  const { own, descendants } = treeRssBytes(child.pid ?? 0);
  const atSecond = (Date.now() - started) / 1000;
  peakTree.see(own + descendants, atSecond);
  peakHarness.see(own, atSecond);
  peakEmulator.see(descendants, atSecond);
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
console.log(`peak RSS, harness + emulator process tree: ${peakTree} (limit 1,536 MiB)`);
console.log(`peak RSS, harness process (main thread and workers): ${peakHarness}`);
console.log(`peak RSS, emulator process: ${peakEmulator}`);
