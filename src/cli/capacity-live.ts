import type { LoadObserver } from '../capacity/bootstrap-load.js';
import { errorClassOfStatus } from '../capacity/status-class.js';
import type { LiveMetrics } from '../engine/live-metrics.js';
import { isEmptyReport, LiveRecorder } from '../engine/live-tally.js';

const FLUSH_INTERVAL_MS = 1_000;

/**
 * Live metrics of `provbench capacity`: each bootstrap request counts as a device (sent =
 * started, a 2xx = succeeded with its latency as time to connected, else failed by error
 * class), added to `live` about once a second. `close()` adds the rest.
 */
export function liveLoadObserver(live: LiveMetrics, scenario: string): LoadObserver & { close(): void } {
  const recorder = new LiveRecorder(Date.now());
  const flush = () => {
    const report = recorder.drain();
    if (!isEmptyReport(report)) live.add(scenario, report);
  };
  const timer = setInterval(flush, FLUSH_INTERVAL_MS);
  timer.unref();
  return {
    begin: (requests) => live.scenarioStarted(scenario, requests),
    sent: () => recorder.deviceStarted(Date.now()),
    answered: (status, latencyMs) => {
      const errorClass = errorClassOfStatus(status);
      if (errorClass === null) recorder.deviceSucceeded(Date.now(), latencyMs);
      else recorder.deviceFailed(Date.now(), errorClass);
    },
    unanswered: (errorClass) => recorder.deviceFailed(Date.now(), errorClass),
    close: () => {
      clearInterval(timer);
      flush();
      live.scenarioEnded(scenario);
    },
  };
}
