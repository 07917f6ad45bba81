import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptObserver } from '../contract/retry.js';
import type { LiveReport } from './live-tally.js';

/**
 * Latency buckets in seconds: loopback devices connect in tens of milliseconds, devices on
 * cellular links (NB-IoT, LTE-M) in seconds to minutes, and --timeout defaults to 60 s.
 */
export const LATENCY_BUCKETS_SECONDS = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300,
];
/** Field-link bytes per device: a provisioning flow moves a few KB (TLS, certificates) to a few hundred. */
export const DEVICE_BYTES_BUCKETS = [
  1024, 2048, 4096, 8192, 16_384, 32_768, 65_536, 131_072, 262_144, 1_048_576,
];

/** Where the numbers come from: labels every series of this process carries. */
export interface LiveMetricsLabels {
  runId: string;
  /** 1-based shard as `i/n` (`1/1` for an unsharded run). */
  shard: string;
}

/**
 * The scenario's stage an API call was made in (the `stage` label of the API series): worker
 * reports are `devices`; the main thread's calls are those of its stage at the time.
 */
export type ApiStage = 'prepare' | 'devices' | 'teardown' | 'cleanup';

/** The `scenario` label: the pattern as --scenario named it, so jitp:a and jitp:b stay apart. */
export function liveScenarioLabel(scenarioId: string, variant?: string | null): string {
  return variant ? `${scenarioId}:${variant}` : scenarioId;
}

/**
 * The run's live Prometheus metrics, in the main thread only: workers send LiveReports (deltas,
 * about one a second each), which this adds to prom-client counters and histograms. A scrape
 * costs the same however many devices ran: series are per scenario, phase, API and error class.
 */
export class LiveMetrics {
  readonly registry = new Registry();
  private readonly inFlight = new Map<string, number>();
  private readonly planned: Gauge<'scenario'>;
  private readonly started: Counter<'scenario'>;
  private readonly succeeded: Counter<'scenario'>;
  private readonly failed: Counter<'scenario' | 'error_class'>;
  private readonly timeToConnected: Histogram<'scenario'>;
  private readonly phaseDuration: Histogram<'scenario' | 'phase'>;
  private readonly phaseErrors: Counter<'scenario' | 'phase' | 'error_class'>;
  private readonly scheduleLag: Histogram<'scenario'>;
  private readonly apiCalls: Counter<'scenario' | 'stage' | 'api'>;
  private readonly apiAttempts: Counter<'scenario' | 'stage' | 'api'>;
  private readonly apiRetries: Counter<'scenario' | 'stage' | 'api' | 'error_class'>;
  private readonly apiThrottled: Counter<'scenario' | 'stage' | 'api'>;
  private readonly linkBytes: Counter<'scenario' | 'direction'>;
  private readonly deviceBytes: Histogram<'scenario'>;

  constructor(labels: LiveMetricsLabels) {
    this.registry.setDefaultLabels({ run_id: labels.runId, shard: labels.shard });
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
      new Histogram<L>({ name, help, labelNames, buckets, registers });
    this.planned = new Gauge({
      name: 'provbench_devices_planned',
      help: 'Devices this shard runs for the scenario',
      labelNames: ['scenario'],
      registers,
    });
    this.started = counter('provbench_devices_started_total', 'Devices whose lifecycle started', [
      'scenario',
    ]);
    this.succeeded = counter('provbench_devices_succeeded_total', 'Devices provisioned and connected', [
      'scenario',
    ]);
    this.failed = counter('provbench_devices_failed_total', 'Devices that failed, by error class', [
      'scenario',
      'error_class',
    ]);
    const inFlight = this.inFlight;
    new Gauge({
      name: 'provbench_devices_in_flight',
      help: 'Devices started and not yet ended (succeeded or failed)',
      labelNames: ['scenario'],
      registers,
      collect() {
        for (const [scenario, count] of inFlight) this.set({ scenario }, count);
      },
    });
    this.timeToConnected = histogram(
      'provbench_time_to_connected_seconds',
      'Time from intended start to connected, per succeeded device',
      ['scenario'],
      LATENCY_BUCKETS_SECONDS,
    );
    this.phaseDuration = histogram(
      'provbench_phase_duration_seconds',
      'Duration of each device phase (boot, manufacture and the phases scenarios name)',
      ['scenario', 'phase'],
      LATENCY_BUCKETS_SECONDS,
    );
    this.phaseErrors = counter('provbench_phase_errors_total', 'Errors by phase and error class', [
      'scenario',
      'phase',
      'error_class',
    ]);
    this.scheduleLag = histogram(
      'provbench_schedule_lag_seconds',
      'Open models: how much later than intended each device started',
      ['scenario'],
      LATENCY_BUCKETS_SECONDS,
    );
    this.apiCalls = counter(
      'provbench_api_calls_total',
      'Logical AWS IoT API calls, by the stage that made them (prepare, devices, teardown, cleanup)',
      ['scenario', 'stage', 'api'],
    );
    this.apiAttempts = counter(
      'provbench_api_attempts_total',
      'AWS IoT API attempts, retries included, by stage',
      ['scenario', 'stage', 'api'],
    );
    this.apiRetries = counter(
      'provbench_api_retries_total',
      'Failed AWS IoT API attempts that were retried, by stage and error class',
      ['scenario', 'stage', 'api', 'error_class'],
    );
    this.apiThrottled = counter(
      'provbench_api_throttled_total',
      'Throttled AWS IoT API answers, retried or not, by stage',
      ['scenario', 'stage', 'api'],
    );
    this.linkBytes = counter(
      'provbench_field_link_bytes_total',
      'Bytes devices sent and received over their field link',
      ['scenario', 'direction'],
    );
    this.deviceBytes = histogram(
      'provbench_device_field_link_bytes',
      'Field-link bytes (sent + received) per device that ended',
      ['scenario'],
      DEVICE_BYTES_BUCKETS,
    );
  }

  /** A scenario's devices are about to start: `devices` of them in this shard. */
  scenarioStarted(scenario: string, devices: number): void {
    this.planned.set({ scenario }, devices);
    this.started.inc({ scenario }, 0);
    this.succeeded.inc({ scenario }, 0);
    this.inFlight.set(scenario, 0);
  }

  /** A scenario's workers are done: whatever was still in flight was stopped or abandoned. */
  scenarioEnded(scenario: string): void {
    this.inFlight.set(scenario, 0);
  }

  /** Adds what one worker measured since its previous report. */
  add(scenario: string, report: LiveReport): void {
    let ended = report.succeeded;
    this.started.inc({ scenario }, report.started);
    this.succeeded.inc({ scenario }, report.succeeded);
    for (const [errorClass, count] of Object.entries(report.failed)) {
      this.failed.inc({ scenario, error_class: errorClass }, count);
      ended += count;
    }
    this.inFlight.set(scenario, Math.max(0, (this.inFlight.get(scenario) ?? 0) + report.started - ended));
    for (const seconds of report.timeToConnectedSeconds) this.timeToConnected.observe({ scenario }, seconds);
    for (const [phase, values] of Object.entries(report.phaseSeconds)) {
      for (const seconds of values) this.phaseDuration.observe({ scenario, phase }, seconds);
    }
    for (const [phase, byClass] of Object.entries(report.phaseErrors)) {
      for (const [errorClass, count] of Object.entries(byClass))
        this.phaseErrors.inc({ scenario, phase, error_class: errorClass }, count);
    }
    for (const seconds of report.scheduleLagSeconds) this.scheduleLag.observe({ scenario }, seconds);
    if (report.deviceBytes.length > 0) {
      this.linkBytes.inc({ scenario, direction: 'sent' }, report.bytesSent);
      this.linkBytes.inc({ scenario, direction: 'received' }, report.bytesReceived);
      for (const bytes of report.deviceBytes) this.deviceBytes.observe({ scenario }, bytes);
    }
    const stage = 'devices';
    for (const [api, delta] of Object.entries(report.apiCalls)) {
      this.apiCalls.inc({ scenario, stage, api }, delta.calls);
      this.apiAttempts.inc({ scenario, stage, api }, delta.attempts);
      this.apiThrottled.inc({ scenario, stage, api }, delta.throttled);
      for (const [errorClass, count] of Object.entries(delta.retries))
        this.apiRetries.inc({ scenario, stage, api, error_class: errorClass }, count);
    }
  }

  /**
   * Counts one call of the main thread (prepare, teardown, cleanup, and device-stage calls
   * such as an activator's) as it goes, attempt by attempt.
   */
  apiObserver(scenario: string, stage: ApiStage, api: string): AttemptObserver {
    const labels = { scenario, stage, api };
    return {
      attempt: (attempt) => {
        if (attempt === 1) this.apiCalls.inc(labels);
        this.apiAttempts.inc(labels);
      },
      retry: (errorClass) => {
        this.apiRetries.inc({ ...labels, error_class: errorClass });
        if (errorClass === 'throttled') this.apiThrottled.inc(labels);
      },
      gaveUp: (errorClass) => {
        if (errorClass === 'throttled') this.apiThrottled.inc(labels);
      },
    };
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
