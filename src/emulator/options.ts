import type { EmulatorPki, KeyAlgorithm } from '../pki/index.js';
import type { QuotaTable } from '../quotas/aws-default-quotas.js';
import type {
  FaultModelConfig,
  IamFile,
  IamGate,
  LatencyModelConfig,
  QuotaGate,
} from './control-plane/index.js';
import type { IotRegistry } from './registry/index.js';

export interface EmulatorOptions {
  /** Interface every listener binds to (default 127.0.0.1). */
  host?: string;
  /** Control-plane port; 0 picks a free one (default 0). */
  port?: number;
  /** MQTT/mTLS data-plane port (default 0). */
  mqttPort?: number;
  /** Krypton-compatible service port (default 0). */
  kryptonPort?: number;
  /** Credentials provider (HTTPS/mTLS, role aliases) port (default 0). */
  credentialsPort?: number;
  region?: string;
  accountId?: string;
  /** AWS's default TPS quotas (default) or none. */
  quotas?: 'aws' | 'none';
  /** Overrides on top of the AWS defaults: `{ "controlPlaneTps": {...}, "limits": {...} }`, or a JSON file path. */
  quotaOverrides?: unknown;
  quotaFile?: string;
  /** Where CA keys and the registry persist; absent: in memory only. */
  stateDir?: string;
  /**
   * When the registry is written to the state dir: shortly after each change (default), only
   * when the emulator closes (no saving while it serves: a resumable run's embedded target), or
   * every `everyMs` when it changed, and when it closes.
   */
  saveState?: SaveState;
  /** Written (JSON) once every listener accepts connections. */
  readyFile?: string;
  /** SIMs the Krypton service knows (fleet.json). */
  fleetFile?: string;
  /** Per-operation latency model (object or JSON file path); off by default. */
  latencyModel?: LatencyModelConfig | string;
  /** Per-operation fault injection (object or JSON file path); off by default. */
  faults?: FaultModelConfig | string;
  /** Seed of the latency and fault models' draws; without it they use Math.random(). */
  modelSeed?: number;
  /**
   * IAM users (object or JSON file path): requests must be SigV4-signed by one of them and are
   * allowed as its policies say. Absent: any credentials are accepted.
   */
  iam?: IamFile | string;
  /** The clock SigV4 checks request dates against (default Date.now). */
  now?: () => number;
  /** Key type CreateKeysAndCertificate returns (default AWS's rsa-2048). */
  deviceKeyAlgorithm?: KeyAlgorithm;
  /** Device key pairs kept ready by the key-pool worker (default 32). */
  keyPoolSize?: number;
  /** Worker threads filling the key pool (default 1; 2 doubles RSA-2048 supply when a core is free). */
  keyPoolWorkers?: number;
  /** Key stock directory (`provbench keys fill`) taken from before keys are generated; absent: none. */
  keyStockDir?: string;
  /** Top the key stock up to this many keys in idle time, at the lowest CPU priority (default 0: never). */
  keyStockTarget?: number;
  /** How long after DeprecateThingType DeleteThingType is refused (default AWS's 5 minutes). */
  thingTypeDeletionWaitMs?: number;
  /** Local stand-ins for Lambda functions (topic rule actions, pre-provisioning hooks), by ARN or name. */
  localFunctions?: Record<string, (event: unknown) => unknown>;
  /** Listeners to start after the control plane; defaults to EMULATOR_LISTENERS. */
  listeners?: EmulatorListenerFactory[];
}

/** What every listener (data plane, Krypton) gets: the shared account state and settings. */
export interface EmulatorListenerContext {
  host: string;
  region: string;
  accountId: string;
  pki: EmulatorPki;
  registry: IotRegistry;
  /** The quota table in force, or undefined with `--quotas none`. */
  quotaTable: QuotaTable | undefined;
  /** Shared token buckets (e.g. deviceCertificateRegistrations for JITR), undefined with `--quotas none`. */
  quotaGate: QuotaGate | undefined;
  controlPlaneUrl: string;
  /** SigV4 and IAM in force (`--iam`), or undefined. */
  iam: IamGate | undefined;
  options: EmulatorOptions;
}

/** A started listener. Report `mqtt`, `kryptonUrl` or `credentialsProviderUrl` so the ready file can name them. */
export interface EmulatorListener {
  name: string;
  mqtt?: { host: string; port: number };
  kryptonUrl?: string;
  credentialsProviderUrl?: string;
  close(): Promise<void>;
}

export type EmulatorListenerFactory = (context: EmulatorListenerContext) => Promise<EmulatorListener>;

/** When an emulator with a state dir writes its registry (`--save-state`). */
export type SaveState = 'on-change' | 'on-exit' | { everyMs: number };
