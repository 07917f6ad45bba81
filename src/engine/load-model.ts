/**
 * Load models (k6's executors, reduced to what provisioning needs):
 * - `constant-rate`: open model, devices arrive at a fixed rate per second;
 * - `ramping-rate`: open model, the rate changes linearly through stages (k6 ramping-arrival-rate);
 * - `concurrency`: closed model, a fixed number of devices in flight.
 * Open models give every device an intended start time; latency is measured from it, so a
 * stalled harness or server shows up as latency (coordinated omission handled).
 */
export type LoadModel =
  | { kind: 'constant-rate'; rate: number }
  | { kind: 'ramping-rate'; startRate: number; stages: RampStage[] }
  | { kind: 'concurrency'; concurrency: number };

export interface RampStage {
  /** Rate (devices per second) reached at the end of the stage. */
  target: number;
  durationMs: number;
}

export function isOpenModel(model: LoadModel): boolean {
  return model.kind !== 'concurrency';
}

/** Parses `30s`, `2m`, `500ms` or a bare number of seconds. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration; write e.g. 30s, 2m or 500ms`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return value * factor;
}

/** Parses `--ramp START,TARGET:DURATION[,TARGET:DURATION...]`, e.g. `1,50:30s,50:1m`. */
export function parseRamp(text: string): LoadModel {
  const [start, ...stageTexts] = text.split(',').map((part) => part.trim());
  const startRate = Number(start);
  if (!Number.isFinite(startRate) || startRate < 0 || stageTexts.length === 0) {
    throw new Error(
      `--ramp "${text}": write START,TARGET:DURATION[,...], e.g. 1,50:30s,50:1m (rates per second)`,
    );
  }
  const stages = stageTexts.map((stageText) => {
    const [targetText, durationText] = stageText.split(':');
    const target = Number(targetText);
    if (!Number.isFinite(target) || target < 0 || durationText === undefined) {
      throw new Error(`--ramp stage "${stageText}": write TARGET:DURATION, e.g. 50:30s`);
    }
    return { target, durationMs: parseDurationMs(durationText) };
  });
  const last = stages.at(-1);
  if (!last || last.target <= 0)
    throw new Error(`--ramp "${text}": the last stage must end at a rate above 0`);
  return { kind: 'ramping-rate', startRate, stages };
}

/** Scales a whole-run model to one of `count` shards (rates and concurrency are split). */
export function shardModel(model: LoadModel, count: number): LoadModel {
  if (count === 1) return model;
  switch (model.kind) {
    case 'constant-rate':
      return { kind: 'constant-rate', rate: model.rate / count };
    case 'ramping-rate':
      return {
        kind: 'ramping-rate',
        startRate: model.startRate / count,
        stages: model.stages.map((stage) => ({ ...stage, target: stage.target / count })),
      };
    case 'concurrency':
      return { kind: 'concurrency', concurrency: Math.max(1, Math.ceil(model.concurrency / count)) };
  }
}

/**
 * Intended start of the `arrival`-th device (0-based) in ms from the scenario start. For the
 * whole run's model: a shard schedules its devices at their global arrival times, so the
 * shards together start devices exactly when one unsharded run would.
 */
export function intendedStartMs(model: LoadModel, arrival: number): number {
  switch (model.kind) {
    case 'concurrency':
      return 0;
    case 'constant-rate':
      return (arrival * 1000) / model.rate;
    case 'ramping-rate':
      return rampArrivalMs(model.startRate, model.stages, arrival);
  }
}

/** Time at which the cumulative number of arrivals under a piecewise-linear rate reaches `n`. */
function rampArrivalMs(startRate: number, stages: readonly RampStage[], n: number): number {
  let elapsedMs = 0;
  let rate = startRate;
  let remaining = n;
  for (const stage of stages) {
    const seconds = stage.durationMs / 1000;
    const arrivals = ((rate + stage.target) / 2) * seconds;
    if (remaining <= arrivals) {
      // Solve remaining = rate*t + (slope/2)*t^2 for t in seconds.
      const slope = (stage.target - rate) / seconds;
      const t =
        Math.abs(slope) < 1e-12
          ? remaining / rate
          : (-rate + Math.sqrt(Math.max(0, rate * rate + 2 * slope * remaining))) / slope;
      return elapsedMs + t * 1000;
    }
    remaining -= arrivals;
    elapsedMs += stage.durationMs;
    rate = stage.target;
  }
  return elapsedMs + (remaining / rate) * 1000;
}

export function describeModel(model: LoadModel): string {
  switch (model.kind) {
    case 'constant-rate':
      return `${model.rate} devices/s`;
    case 'ramping-rate':
      return `ramp from ${model.startRate}/s: ${model.stages.map((s) => `${s.target}/s over ${s.durationMs / 1000}s`).join(', ')}`;
    case 'concurrency':
      return `${model.concurrency} devices in flight`;
  }
}
