import cliProgress from 'cli-progress';
import type { RunProgress } from './run.js';

export interface ProgressDisplay {
  update(progress: RunProgress): void;
  stop(): void;
}

/**
 * Terminal progress for long runs: devices done, rate, errors, ETA. Quiet (no output at all)
 * when stderr is not a TTY, so logs and CI output stay clean.
 */
export function createProgressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
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
        scenario: `${progress.scenario} (${progress.scenarioNumber}/${progress.scenarioCount})`,
        done,
        failed: progress.failed,
        stage: progress.stage,
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
