import type { IamActor, IamPolicies } from '../contract/iam.js';
import type { KeySupply } from '../contract/key-supply.js';
import type { IoTEndpoint } from '../contract/scenario.js';
import type { IoTClientConfig } from './iot-client.js';

/** A target that is up: where its AWS IoT is, and how to let it go. */
export interface StartedTarget {
  readonly name: 'embedded' | 'localstack' | 'aws';
  readonly endpoint: IoTEndpoint;
  readonly iotConfig: IoTClientConfig;
  /**
   * Embedded: each scenario's actors' own control-plane access (by iamActorsKey: scenario and
   * variant), holding exactly
   * their declared IAM policies. Absent (remote targets): every actor uses `iotConfig`.
   */
  readonly actorIotConfigs?: Readonly<Record<string, Partial<Record<IamActor, IoTClientConfig>>>>;
  /** Stops what the target started (the embedded emulator); a no-op for remote targets. */
  close(): Promise<void>;
  /** Embedded: where the emulator's device keys came from so far (null if it cannot tell). */
  keySupply?(): Promise<KeySupply | null>;
}

export interface TargetOptions {
  quotas: 'aws' | 'none';
  /** Embedded: what CreateKeysAndCertificate returns (`ec` is the explicit speed option). */
  keyType?: 'rsa' | 'ec';
  requestTimeoutMs: number;
  /** fleet.json the embedded emulator's Krypton service should know. */
  fleetFile?: string;
  /** LocalStack: edge URL (default http://localhost.localstack.cloud:4566, or LOCALSTACK_ENDPOINT). */
  endpointUrl?: string;
  region?: string;
  /** Bootstrap (Krypton-compatible) API for non-embedded targets, if any. */
  kryptonUrl?: string;
  /** Remote targets: where devices connect for MQTT, instead of DescribeEndpoint's answer. */
  mqttEndpoint?: { host: string; port: number };
  /** Remote targets: the credentials provider's URL when it is not on 443 (a standalone emulator's). */
  credentialsProviderUrl?: string;
  /** Remote targets: the account id, when known (a standalone emulator's ready file says it). */
  accountId?: string;
  /** Where the embedded emulator writes its ready file and logs. */
  workDir: string;
  /** Embedded: the account's own quotas over AWS's defaults (`provbench emulator --quota-file`). */
  quotaFile?: string;
  /** Embedded: per-operation latency model (`provbench emulator --latency-model`). */
  latencyModelFile?: string;
  /** Embedded: per-operation fault injection (`provbench emulator --faults`). */
  faultsFile?: string;
  /** Embedded: seed of the latency and fault models' draws (the run's `--seed`). */
  modelSeed?: number;
  /**
   * Embedded: keep the emulator's CA and registry here (`provbench emulator --state-dir`), so a
   * resumed run restarts it on the state it left.
   */
  stateDir?: string;
  /**
   * Embedded: the IAM policies of the run's scenarios' actors, by iamActorsKey. The emulator then
   * verifies SigV4 and gives each actor its own credentials holding exactly its policy.
   */
  iamPolicies?: Record<string, IamPolicies>;
}
