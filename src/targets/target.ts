import type { IoTEndpoint } from '../contract/scenario.js';
import type { IoTClientConfig } from './iot-client.js';

/** A target that is up: where its AWS IoT is, and how to let it go. */
export interface StartedTarget {
  readonly name: 'embedded' | 'localstack' | 'aws';
  readonly endpoint: IoTEndpoint;
  readonly iotConfig: IoTClientConfig;
  /** Stops what the target started (the embedded emulator); a no-op for remote targets. */
  close(): Promise<void>;
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
}
