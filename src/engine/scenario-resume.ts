import { describeError } from '../contract/errors.js';
import type { Logger, Scenario } from '../contract/scenario.js';
import { cleanupDevices } from '../targets/cleanup-devices.js';
import { createIoTClient, type IoTClientConfig } from '../targets/iot-client.js';
import { type ApiCallCounter, instrumentIoTClient } from './api-calls.js';
import { type ContextBase, countPhaseError, createContext } from './context.js';
import type { ResumeState } from './resume-state.js';

/** Attempts a deletion gets (at least): cleanup is not measured, it must get through. */
export const CLEANUP_MAX_ATTEMPTS = 20;

/**
 * A resumed scenario whose prepare succeeded in an earlier attempt: ctx.shared as prepare left
 * it, then the scenario's `resume` hook (if any) instead of prepare. True when it succeeded.
 */
export async function restoreStage(
  scenario: Scenario,
  base: ContextBase,
  signal: AbortSignal,
  shared: Record<string, unknown>,
): Promise<boolean> {
  Object.assign(base.shared, shared);
  if (!scenario.resume) return true;
  try {
    const ctx = createContext(base, signal, 'prepare:');
    await ctx.phase('resume', () => scenario.resume?.(ctx) ?? Promise.resolve());
    return true;
  } catch (error) {
    countPhaseError(base.recorder, 'prepare', error);
    base.log.warn(`resuming the scenario failed, no device will run: ${describeError(error)}`);
    return false;
  }
}

/**
 * Deletes what the ledger records for devices of scenario `scenarioNumber` that an earlier
 * attempt started but did not finish (cut off mid-way), so they run again from nothing, and
 * records how many there were. False when something could not be deleted: running them again
 * would then make a second copy (the devices do not run; the cleanup at the end retries). A
 * certificate whose creation never returned and that cannot be told apart from others' is
 * deleted only on a target the run has to itself (`dedicated`: the embedded emulator);
 * elsewhere it is said and left, attached to nothing, for `provbench cleanup` to list. Its
 * calls are counted in `counter` and retried as the run's cleanup's are.
 */
export async function cleanupCutOffDevices(
  iotConfig: IoTClientConfig,
  counter: ApiCallCounter,
  ledgerPath: string,
  state: ResumeState,
  scenarioNumber: number,
  finished: ReadonlySet<number>,
  log: Logger,
  dedicated: boolean,
): Promise<boolean> {
  // Keys of this scenario's writers: s<n>m (main thread), s<n>w<i>, s<n>w<i>r<attempt>.
  const ofScenario = new RegExp(`^s${scenarioNumber}[a-z]`);
  const iot = instrumentIoTClient(createIoTClient(iotConfig), {
    maxAttempts: CLEANUP_MAX_ATTEMPTS,
    counter: () => counter,
  });
  const report = await cleanupDevices(
    iot,
    ledgerPath,
    (key, deviceIndex) => ofScenario.test(key) && !finished.has(deviceIndex),
    { concurrency: 4, includeUnattributed: dedicated },
  ).finally(() => iot.destroy());
  if (report.failed.length > 0) {
    log.warn(
      `${report.failed.length} resources of ${report.devices} devices cut off in an earlier attempt could not be deleted (first: ${report.failed[0]?.message}); resume again later`,
    );
    return false;
  }
  if (report.unattributed.length > 0) {
    log.warn(
      `${report.unattributed.length} certificates may be of devices cut off in an earlier attempt but cannot be told apart from others' (first: ${report.unattributed[0]?.why}); left alone, attached to nothing: provbench cleanup --ledger ${ledgerPath} lists them`,
    );
  }
  state.addReruns(scenarioNumber, report.devices);
  if (report.devices > 0)
    log.info(`cleaned up ${report.devices} devices cut off in an earlier attempt; they run again`);
  return true;
}
