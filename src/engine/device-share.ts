import type { DeviceSim } from '../contract/scenario.js';
import { SeededFleet } from '../sim/generate.js';
import { intendedStartMs, type LoadModel } from './load-model.js';

/**
 * The devices one worker runs, as a few numbers rather than a list: global indices `first`,
 * `first + step`, ... below `end`. Each worker derives its devices from this, one at a time.
 */
export interface DeviceShare {
  first: number;
  step: number;
  end: number;
  runId: string;
  scenarioId: string;
  /** The whole run's arrival model (open models: intended start times), or null (closed). */
  arrivalModel: LoadModel | null;
  /**
   * Where SIMs come from: the seeded fleet (derived in the worker), or, when the run supplies
   * its own SIMs, this share's SIMs in order.
   */
  sims: { seed: number } | { list: DeviceSim[] };
  /**
   * A resumed run: this worker's devices (those earlier attempts did not finish), instead of
   * first/step/end, and the arrival number each one's intended start is computed from.
   */
  remaining?: { indices: number[]; arrivals: number[] };
}

/** One device as a worker receives it. */
export interface DeviceAssignment {
  index: number;
  name: string;
  sim: DeviceSim;
  /** Intended start in ms after the scenario origin (open models); null in closed models. */
  offsetMs: number | null;
}

/** A worker's devices in start order, each made when asked for. */
export interface DeviceList {
  readonly length: number;
  at(position: number): DeviceAssignment | undefined;
}

/** A name valid as thing name and MQTT client id, unique per run, scenario and device. */
export function deviceName(runId: string, scenarioId: string, index: number): string {
  const scenario = scenarioId.replace(/[^A-Za-z0-9_-]/g, '').slice(-24);
  return `${runId}-${scenario}-${String(index).padStart(6, '0')}`;
}

/** Indices of worker `workerIndex` of `workerCount`, dealt round-robin from a shard's devices. */
export function shareIndices(
  devices: number,
  shard: { index: number; count: number } | null,
  workerIndex: number,
  workerCount: number,
): Pick<DeviceShare, 'first' | 'step' | 'end'> {
  const shardIndex = shard?.index ?? 0;
  const shardCount = shard?.count ?? 1;
  return { first: shardIndex + workerIndex * shardCount, step: shardCount * workerCount, end: devices };
}

export function shareSize(share: Pick<DeviceShare, 'first' | 'step' | 'end'>): number {
  return share.first < share.end ? Math.ceil((share.end - share.first) / share.step) : 0;
}

export function shareIndex(share: Pick<DeviceShare, 'first' | 'step'>, position: number): number {
  return share.first + position * share.step;
}

/** The assignments of a share, derived on demand: nothing per device is held. */
export function deviceList(share: DeviceShare): DeviceList {
  const { remaining } = share;
  const length = remaining ? remaining.indices.length : shareSize(share);
  const indexAt = (position: number) =>
    remaining ? (remaining.indices[position] as number) : shareIndex(share, position);
  const arrivalAt = (position: number, index: number) =>
    remaining ? (remaining.arrivals[position] as number) : index;
  const sims = share.sims;
  const fleet = 'seed' in sims ? new SeededFleet({ seed: sims.seed }) : null;
  const simAt = (position: number, index: number): DeviceSim => {
    if (fleet) return fleet.sim(index);
    const sim = 'list' in sims ? sims.list[position] : undefined;
    if (!sim) throw new Error(`no SIM for device ${index}: the run supplied fewer SIMs than devices`);
    return sim;
  };
  return {
    length,
    at(position) {
      if (!Number.isInteger(position) || position < 0 || position >= length) return undefined;
      const index = indexAt(position);
      return {
        index,
        name: deviceName(share.runId, share.scenarioId, index),
        sim: simAt(position, index),
        offsetMs: share.arrivalModel ? intendedStartMs(share.arrivalModel, arrivalAt(position, index)) : null,
      };
    },
  };
}

/**
 * Worker `workerIndex`'s devices of a resumed run: the shard's devices that `finished` lacks,
 * dealt round-robin. The k-th of them arrives as the shard's k-th device would, so an open
 * model keeps its rate instead of waiting out the finished devices' start times.
 */
export function remainingShare(
  devices: number,
  shard: { index: number; count: number } | null,
  workerIndex: number,
  workerCount: number,
  finished: ReadonlySet<number>,
): { indices: number[]; arrivals: number[] } {
  const shardShare = shareIndices(devices, shard, 0, 1);
  const left: number[] = [];
  for (let position = 0; position < shareSize(shardShare); position++) {
    const index = shareIndex(shardShare, position);
    if (!finished.has(index)) left.push(index);
  }
  const indices: number[] = [];
  const arrivals: number[] = [];
  for (let k = workerIndex; k < left.length; k += workerCount) {
    indices.push(left[k] as number);
    arrivals.push(shardShare.first + k * shardShare.step);
  }
  return { indices, arrivals };
}
