import { type Command, InvalidArgumentError } from 'commander';
import { LiveMetrics } from '../engine/live-metrics.js';
import { parseDurationMs } from '../engine/load-model.js';
import type { Shard } from '../engine/run-config.js';
import { MetricsEndpoint } from './metrics-server.js';

/** --metrics-port, --metrics-host and --metrics-linger as commander hands them over. */
export interface MetricsOptions {
  metricsPort?: number;
  metricsHost?: string;
  metricsLinger?: number;
}

/** Commander option parser for --metrics-port: 0 (any free port) to 65535. */
export function metricsPort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new InvalidArgumentError('expected a TCP port from 0 (any free port) to 65535');
  return port;
}

function lingerDuration(value: string): number {
  try {
    return parseDurationMs(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Adds the live metrics options (docs/live-metrics.md) to `run` or `capacity`. */
export function addMetricsOptions(command: Command): Command {
  return command
    .option(
      '--metrics-port <port>',
      'serve live Prometheus metrics at /metrics on this port while the run goes on (0: any free port, printed)',
      metricsPort,
    )
    .option('--metrics-host <address>', 'address the metrics endpoint listens on (0.0.0.0: all)', '127.0.0.1')
    .option(
      '--metrics-linger <duration>',
      'after the run, serve the final values until one scrape read them, at most this long, e.g. 30s',
      lingerDuration,
      0,
    );
}

export interface LiveMetricsServing {
  live: LiveMetrics;
  endpoint: MetricsEndpoint;
}

/** Starts the metrics endpoint when --metrics-port was given; says where on `log`. */
export async function startLiveMetrics(
  options: MetricsOptions,
  runId: string,
  shard: Shard | null | undefined,
  log: (line: string) => void,
): Promise<LiveMetricsServing | null> {
  if (options.metricsPort === undefined) return null;
  const live = new LiveMetrics({ runId, shard: shard ? `${shard.index + 1}/${shard.count}` : '1/1' });
  const endpoint = await MetricsEndpoint.start(live, {
    host: options.metricsHost ?? '127.0.0.1',
    port: options.metricsPort,
    lingerMs: options.metricsLinger ?? 0,
  });
  log(`metrics: ${endpoint.url}`);
  return { live, endpoint };
}
