import { readdirSync, readFileSync } from 'node:fs';
import type { RunProgress } from '../src/engine/run.js';

/** CPU seconds (user + system, all threads) of a process, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) in clock ticks; Linux uses 100 ticks per second.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The embedded emulator: this process's child whose command line runs `emulator` (Linux only). */
export function emulatorPid(): number | null {
  if (process.platform !== 'linux') return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('emulator')) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return null;
}

export interface CpuSeconds {
  /** This process, all threads. */
  harness: number;
  /** The embedded emulator's process (NaN when it was not found). */
  emulator: number;
}

/**
 * CPU of harness and emulator over a run's devices stage only (prepare and cleanup excluded):
 * pass `onProgress` to runScenarios, read `devicesStage()` after it returns.
 */
export class DevicesStageCpu {
  private stage: RunProgress['stage'] | null = null;
  private atStart: CpuSeconds;
  private atEnd: CpuSeconds;

  constructor(private readonly emulator: number | null) {
    this.atStart = this.now();
    this.atEnd = this.atStart;
  }

  readonly onProgress = (progress: RunProgress): void => {
    if (progress.stage === this.stage) return;
    if (progress.stage === 'devices') this.atStart = this.now();
    if (this.stage === 'devices') this.atEnd = this.now();
    this.stage = progress.stage;
  };

  /** CPU seconds spent in the devices stage. */
  devicesStage(): CpuSeconds {
    return {
      harness: this.atEnd.harness - this.atStart.harness,
      emulator: this.atEnd.emulator - this.atStart.emulator,
    };
  }

  private now(): CpuSeconds {
    const usage = process.cpuUsage();
    return {
      harness: (usage.user + usage.system) / 1e6,
      emulator: this.emulator === null ? Number.NaN : processCpuSeconds(this.emulator),
    };
  }
}
