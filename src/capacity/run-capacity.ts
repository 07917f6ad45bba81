import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { KryptonClient } from '../../scenarios/lib/krypton-client.js';
import type { RunResult } from '../metrics/result-schema.js';
import type { NetworkProfile } from '../network/profile.js';
import { writeRunReports } from '../report/write.js';
import { readFleetFile, writeFleetFile } from '../sim/fleet-file.js';
import { generateFleet } from '../sim/generate.js';
import { hasSecrets, type SimRecord, type SimWithSecrets } from '../sim/sim-record.js';
import { startEmbeddedTarget } from '../targets/embedded.js';
import type { StartedTarget } from '../targets/target.js';
import {
  BOOTSTRAP_PATH,
  type BootstrapLoad,
  checkRateCoversConnections,
  type LoadObserver,
  runBootstrapLoad,
} from './bootstrap-load.js';
import { buildCapacityResult, latencyLine } from './capacity-result.js';
import { authenticateSims, type SimSessions } from './sim-sessions.js';

export interface CapacityOptions {
  /** Bootstrap URL or the Krypton service's base URL; absent: start the embedded emulator. */
  endpoint?: string;
  /** Overall bootstrap requests per second; absent: as fast as `connections` allow. */
  rate?: number;
  connections: number;
  /** Stop sending after this long even if SIMs are left. */
  durationSeconds?: number;
  /** SIMs (= bootstrap requests) when no fleet file is given. */
  devices?: number;
  /** fleet.json with Ki/OPc of SIMs the service knows. */
  fleetFile?: string;
  /** CA bundle (PEM file) the service's TLS certificate chains to. */
  caFile?: string;
  /** Also add the fleet's SIMs through the emulator's `POST /_emulator/sims`. */
  registerSims?: boolean;
  outDir: string;
  seed: number;
  /** Embedded emulator only. */
  quotas: 'aws' | 'none';
  keyType: 'rsa' | 'ec';
  timeoutSeconds: number;
  runId: string;
  provbenchVersion?: string;
  /** Source commit recorded in result.json (absent when unknown). */
  commit?: string;
  log?: (line: string) => void;
  /** The SIMs' field link for their AKA and bootstrap requests (default: none). */
  network?: NetworkProfile;
  /** Told about each bootstrap request as it goes (live metrics). */
  observer?: LoadObserver;
}

export interface CapacityRun {
  result: RunResult;
  resultFile: string;
  htmlFile: string;
  sessions: SimSessions;
  load: BootstrapLoad;
}

const DEFAULT_DEVICES = 200;

/** `https://host:port/prefix/v1/provisioning/aws/iot/bootstrap` -> `https://host:port/prefix`. */
export function kryptonBaseUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(
      `--endpoint ${endpoint} is not a URL; give e.g. https://krypton.example.com or its bootstrap URL`,
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  const base = path.endsWith(BOOTSTRAP_PATH) ? path.slice(0, -BOOTSTRAP_PATH.length) : path;
  return `${url.origin}${base}`;
}

function simCount(options: CapacityOptions): number {
  if (options.devices !== undefined) return options.devices;
  if (options.rate !== undefined && options.durationSeconds !== undefined) {
    return Math.max(1, Math.ceil(options.rate * options.durationSeconds));
  }
  return DEFAULT_DEVICES;
}

async function loadSims(options: CapacityOptions): Promise<SimWithSecrets[]> {
  const fleet: SimRecord[] = options.fleetFile
    ? await readFleetFile(options.fleetFile)
    : generateFleet({ devices: simCount(options), seed: options.seed });
  const sims = fleet.filter(hasSecrets);
  if (sims.length === 0) {
    throw new Error(
      `${options.fleetFile ?? 'the fleet'} has no SIM with ki/opc: SIM authentication needs them; export it without --no-secrets`,
    );
  }
  const wanted = options.fleetFile && options.devices !== undefined ? options.devices : sims.length;
  if (wanted > sims.length) {
    throw new Error(`--devices ${wanted} but ${options.fleetFile} holds ${sims.length} SIMs with secrets`);
  }
  return sims.slice(0, wanted);
}

async function registerSims(kryptonUrl: string, ca: string, sims: readonly SimWithSecrets[]): Promise<void> {
  const client = new KryptonClient({ baseUrl: kryptonUrl, ca });
  try {
    const answer = await client.send('/_emulator/sims', JSON.stringify(sims), {});
    if (answer.status !== 200) {
      throw new Error(
        `${kryptonUrl} did not accept the SIMs at POST /_emulator/sims (HTTP ${answer.status}): for a service other than provbench's emulator, give --fleet with SIMs it already knows`,
      );
    }
  } finally {
    client.close();
  }
}

/**
 * HTTP capacity of a Krypton-compatible bootstrap API: authenticate every SIM (AKA), then send
 * one CK-signed bootstrap request per SIM with autocannon, and write result.json and the reports.
 */
export async function runCapacity(options: CapacityOptions): Promise<CapacityRun> {
  const log = options.log ?? (() => {});
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const sims = await loadSims(options);
  checkRateCoversConnections(options.rate, Math.min(options.connections, sims.length));
  let target: StartedTarget | null = null;
  try {
    let kryptonUrl: string;
    let ca: string;
    if (options.endpoint) {
      kryptonUrl = kryptonBaseUrl(options.endpoint);
      ca = options.caFile ? readFileSync(options.caFile, 'utf8') : rootCertificates.join('\n');
      if (!options.fleetFile || options.registerSims) await registerSims(kryptonUrl, ca, sims);
    } else {
      const fleetFile = join(outDir, 'fleet.json');
      await writeFleetFile(fleetFile, sims);
      log(`starting the embedded emulator (quotas ${options.quotas}, ${options.keyType} keys)`);
      target = await startEmbeddedTarget({
        quotas: options.quotas,
        keyType: options.keyType,
        requestTimeoutMs: options.timeoutSeconds * 1000,
        fleetFile,
        workDir: outDir,
      });
      if (!target.endpoint.kryptonUrl)
        throw new Error('the embedded emulator did not start its Krypton service');
      kryptonUrl = target.endpoint.kryptonUrl;
      ca = options.caFile ? readFileSync(options.caFile, 'utf8') : target.endpoint.rootCaPem;
    }

    log(`authenticating ${sims.length} SIMs at ${kryptonUrl}/v1/keys`);
    const sessions = await authenticateSims(sims, {
      kryptonUrl,
      ca,
      concurrency: Math.min(32, Math.max(options.connections, 4)),
      network: options.network,
      seed: options.seed,
    });
    if (sessions.keys.length === 0) {
      const first = sessions.failures[0];
      throw new Error(
        `no SIM authenticated at ${kryptonUrl} (first: ${first?.imsi} ${first?.code} ${first?.message}); check the fleet matches the service's SIMs and --ca`,
      );
    }
    log(
      `${sessions.keys.length} SIM sessions (${sessions.failures.length} failed) in ${(sessions.durationMs / 1000).toFixed(1)} s; ` +
        `bootstrapping with ${options.connections} connections${options.rate ? ` at ${options.rate}/s` : ''}`,
    );
    const load = await runBootstrapLoad({
      observer: options.observer,
      kryptonUrl,
      keys: sessions.keys,
      connections: options.connections,
      rate: options.rate,
      durationSeconds: options.durationSeconds,
      timeoutSeconds: options.timeoutSeconds,
      network: options.network,
      seed: options.seed,
    });
    const built = buildCapacityResult({
      runId: options.runId,
      requested: sims.length,
      sessions,
      load,
      target: target ? 'embedded' : 'endpoint',
      provbenchVersion: options.provbenchVersion ?? '0.0.0',
      commit: options.commit,
      config: {
        tool: 'autocannon',
        endpoint: `${kryptonUrl}${BOOTSTRAP_PATH}`,
        devices: sims.length,
        connections: load.connections,
        rate: options.rate ?? null,
        connectionRates: load.connectionRates,
        durationSeconds: options.durationSeconds ?? null,
        model: options.rate
          ? { kind: 'constant-rate', rate: options.rate }
          : { kind: 'concurrency', concurrency: load.connections },
        coordinatedOmission: options.rate
          ? 'latency from each request’s intended slot (connection rate schedule); autocannon ignoreCoordinatedOmission: true'
          : 'none (closed model: no intended rate)',
        quotas: target ? options.quotas : null,
        network: options.network?.name ?? 'none',
        keyType: target ? options.keyType : null,
        autocannon: load.autocannon,
      },
    });
    const result: RunResult = options.network
      ? { ...built, network: { profile: options.network.name, link: options.network } }
      : built;
    const resultFile = join(outDir, 'result.json');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
    let htmlFile = join(outDir, 'index.html');
    try {
      htmlFile = (await writeRunReports(result, outDir)).html;
    } catch (error) {
      log(`reports: ${(error as Error).message}`);
    }
    const summary = result.scenarios[0]!.summary;
    log(
      `bootstrap: ${summary.devices.succeeded}/${summary.devices.requested} succeeded, ${summary.devices.failed} failed, ` +
        `${summary.devicesPerSecond.toFixed(1)}/s; latency ${latencyLine(load.latency)}` +
        (options.rate ? ` (from intended send; service time ${latencyLine(load.serviceTime)})` : ''),
    );
    return { result, resultFile, htmlFile, sessions, load };
  } finally {
    await target?.close();
  }
}
