import cliProgress from 'cli-progress';
import type { RunProgress } from '../engine/run.js';

export interface ProgressDisplay {
  update(progress: RunProgress): void;
  stop(): void;
}

/** `bar`: redrawn terminal bar; `lines`: a plain line now and then (logs, CI); `off`: nothing. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'off';

export interface ProgressDisplayOptions {
  mode?: ProgressMode;
  /** `lines` mode: at most one line per this many ms while devices run (stage changes always print). */
  intervalMs?: number;
  now?: () => number;
}

/**
 * Progress for long runs: devices done, rate, errors, ETA. `auto` draws a bar on a TTY and
 * prints a plain line every 10 s otherwise, so a run in CI or under a log collector still shows
 * it is alive without filling the log with redraws.
 */
export function createProgressDisplay(
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
  options: ProgressDisplayOptions = {},
): ProgressDisplay {
  const mode = options.mode ?? 'auto';
  if (mode === 'off') return { update: () => undefined, stop: () => undefined };
  if (mode === 'bar' || (mode === 'auto' && stream.isTTY)) return barDisplay(stream as NodeJS.WriteStream);
  return lineDisplay(stream, options.intervalMs ?? 10_000, options.now ?? Date.now);
}

function scenarioLabel(progress: RunProgress): string {
  return `${progress.scenario} (${progress.scenarioNumber}/${progress.scenarioCount})`;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.ceil(seconds - minutes * 60)).padStart(2, '0')}s`;
}

function lineDisplay(stream: NodeJS.WritableStream, intervalMs: number, now: () => number): ProgressDisplay {
  let key: string | null = null;
  let stage: RunProgress['stage'] | null = null;
  let devicesStartedAt = now();
  // The rate is the devices stage's own: it stops counting when teardown starts.
  let devicesEndedAt: number | null = null;
  let lastLineAt = 0;
  let last: RunProgress | null = null;
  const print = (progress: RunProgress): void => {
    const done = progress.succeeded + progress.failed;
    let line = `provbench: ${scenarioLabel(progress)} ${progress.stage}`;
    if (progress.stage === 'devices' || done > 0) {
      const seconds = Math.max(0.001, ((devicesEndedAt ?? now()) - devicesStartedAt) / 1000);
      const rate = done / seconds;
      const eta = rate > 0 ? (progress.total - done) / rate : Number.POSITIVE_INFINITY;
      line +=
        `: ${done}/${progress.total} devices, ${progress.failed} failed, ${rate.toFixed(1)}/s` +
        (progress.stage === 'devices' && done < progress.total ? `, ETA ${formatSeconds(eta)}` : '');
    }
    if (progress.cleanup) line += `; cleanup ${progress.cleanup.done}/${progress.cleanup.total} resources`;
    stream.write(`${line}\n`);
    lastLineAt = now();
  };
  return {
    update(progress) {
      const scenarioKey = `${progress.scenarioNumber}`;
      const changed = scenarioKey !== key || progress.stage !== stage;
      if (progress.stage === 'devices' && (stage !== 'devices' || scenarioKey !== key)) {
        devicesStartedAt = now();
        devicesEndedAt = null;
      } else if (progress.stage !== 'devices' && stage === 'devices') devicesEndedAt = now();
      key = scenarioKey;
      stage = progress.stage;
      last = progress;
      if (changed || now() - lastLineAt >= intervalMs) print(progress);
    },
    stop() {
      if (last && last.stage === 'devices') print(last);
      last = null;
    },
  };
}

function barDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        '{scenario} [{bar}] {done}/{total} devices | {rate}/s | errors {failed} | {stage} | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let current: string | null = null;
  let startedAt = Date.now();
  let stage: RunProgress['stage'] | null = null;
  return {
    update(progress) {
      // The rate counts from the first device, not from prepare.
      if (progress.stage === 'devices' && stage !== 'devices') startedAt = Date.now();
      stage = progress.stage;
      const key = `${progress.scenarioNumber}`;
      const done = progress.succeeded + progress.failed;
      const payload = {
        scenario: scenarioLabel(progress),
        done,
        failed: progress.failed,
        stage: progress.cleanup
          ? `cleanup ${progress.cleanup.done}/${progress.cleanup.total} resources`
          : progress.stage,
        rate: ((done * 1000) / Math.max(1, Date.now() - startedAt)).toFixed(1),
      };
      if (current !== key) {
        if (current !== null) bar.stop();
        current = key;
        startedAt = Date.now();
        bar.start(Math.max(1, progress.total), done, payload);
      } else {
        bar.update(done, payload);
      }
    },
    stop() {
      if (current !== null) bar.stop();
      current = null;
    },
  };
}
