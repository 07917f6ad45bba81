import type { IoTClient } from '@aws-sdk/client-iot';
import type { ScenarioFacts } from './facts.js';
import type { FieldLink } from './field-link.js';
import type { IamActor, IamPolicies, IamScope } from './iam.js';
import type { Ledger } from './ledger.js';

export type { FieldLink, FieldTlsOptions } from './field-link.js';
export type { Ledger, LedgerHandle, ResourceKind, ResourceRef } from './ledger.js';

/**
 * The Scenario contract: the pluggable part of provbench. A scenario module (scenarios/<id>.ts
 * or a user's `--scenario ./my-pattern.ts`) default-exports a Scenario (a named export
 * `scenario` works too).
 *
 * Where each method runs:
 * - `prepare` and `teardown` run once per run, in the main thread. Long-lived helpers they
 *   start (e.g. a JITR activator subscribed to registration events) live there until teardown.
 * - `manufacture` and `boot` run per device in worker threads; each worker imports the
 *   scenario module itself, so module-level variables set by `prepare` are NOT visible to
 *   them. Anything a device needs from `prepare` goes into `ctx.shared` (structured-cloneable
 *   values only: strings, numbers, booleans, plain objects and arrays).
 * - Per device, the engine calls `manufacture` (if any) and then `boot`, in the same worker
 *   and with the same Device object: what the factory hands to the field goes in
 *   `device.state`.
 *
 * When a device counts as connected: `boot` resolves after the device, using the
 * credentials it obtained, made an MQTT connection over mutual TLS and got the PUBACK of one
 * QoS 1 publish. The scenario does this itself (it owns the MQTT client); the engine treats a
 * resolved `boot` as "connected" and a rejected one as a failed device. Time to connected is
 * measured by the engine around `boot` (plus any scheduling lag in open-model runs).
 *
 * How errors are counted: wrap every network step in `ctx.phase(name, fn)`. If `fn` throws,
 * the engine classifies the error once (typed errors from ./errors.ts keep their class;
 * anything else goes through `classifyError`: AWS SDK exceptions, Node TLS/socket errors,
 * fetch failures, mqtt.js CONNACK codes), counts it against that phase and rethrows it.
 * Throw the typed errors (ThrottledError, TlsRejectedError, AuthRejectedError, TimeoutError,
 * ServerError, ProtocolError) when you know better than the classifier, e.g. a
 * `.../rejected` response on a fleet-provisioning topic is a ProtocolError or
 * AuthRejectedError depending on its statusCode. Errors you handle (a JITR first connect that
 * is expected to be refused) are simply caught inside the phase and never reach the engine.
 *
 * The field link (`provbench run --network`): devices are in the field, behind a radio link
 * (LTE-M by default). Every connection a DEVICE opens in `boot` (MQTT over TLS to the broker,
 * HTTPS to a bootstrap or SIM keys API) goes through `ctx.link.connectTls`, which delays,
 * paces and counts it per the profile, on every target. The device-side helpers do this for
 * you: pass `ctx.link` to `DeviceMqttConnection.open` (scenarios/lib/field.ts `mqttOptions`
 * does) and as `link` to `KryptonClient`. The factory's and the operator's calls (`prepare`,
 * `ctx.iot` in `manufacture`, a JITR activator, an operator API, the bootstrap service's own AWS
 * calls) are wired: they never use `ctx.link` (in prepare/teardown it is a plain, uncounted
 * link). The bytes, connections and TLS handshakes counted on `ctx.link` are attributed to the
 * innermost `ctx.phase` running when they happen (`between-phases` outside any).
 */
export interface Scenario<State extends object = Record<string, unknown>> {
  /** Stable identifier used on the command line and in results, e.g. `pre-issued`. */
  readonly id: string;
  readonly title: string;
  /** Qualitative facts for the comparison table (factory steps, CA to operate, ...). */
  readonly facts: ScenarioFacts;
  /**
   * Optional named variants (e.g. krypton `cellular` | `sim-auth`). Selected on the command
   * line as `--scenario id:variant`; the first one is the default. Read `ctx.options.variant`.
   */
  readonly variants?: readonly string[];
  /**
   * Optional: the API calls the pattern makes, for `provbench run --dry-run` plans before
   * touching a real account. Names as the SDK names operations (CreateThing) or as in
   * metrics/projection.ts DATA_PLANE_LIMITS (mqtt:Connect, mqtt:RegisterThing, ...).
   */
  readonly apiPlan?: {
    perDevice: Readonly<Record<string, number>>;
    perRun?: Readonly<Record<string, number>>;
  };
  /**
   * Optional: the IAM identity policy each actor of the pattern needs (./iam.ts), built from the
   * apiPlan's control-plane calls. On the embedded target every actor declared here runs with
   * its own credentials holding exactly this policy; undeclared actors use the run's
   * credentials. The report shows them per pattern.
   */
  iamPolicies?(scope: IamScope): IamPolicies;
  /**
   * Optional: the target's bootstrap service (the embedded Krypton) must know the run's SIMs
   * (fleet.json). Only then does the embedded emulator load them: 100,000 SIMs cost it ~150 MiB.
   */
  readonly usesSimFleet?: boolean;
  /** Once per run: CA, policy, templates, activator. Fill `ctx.shared` for the devices. */
  prepare(ctx: RunContext): Promise<void>;
  /**
   * Optional: instead of prepare when a resumed run (`provbench run --resume`) continues this
   * scenario and prepare's resources still exist: `ctx.shared` is as prepare left it (through
   * JSON). Start again what prepare started that is not a resource (an activator's
   * connection). Without it, the devices get the restored `ctx.shared` as it is.
   */
  resume?(ctx: RunContext): Promise<void>;
  /** Factory step for one device; its phases are timed, but not into time-to-connected. */
  manufacture?(device: Device<State>, ctx: RunContext): Promise<void>;
  /** Field step: power-on to the first QoS 1 publish acknowledged. */
  boot(device: Device<State>, ctx: RunContext): Promise<void>;
  /**
   * Once per run, after every device finished: stop what prepare started and delete what it
   * made. Resources recorded in the ledger are deleted by the engine afterwards (in
   * dependency order), so teardown may leave those alone.
   */
  teardown(ctx: RunContext): Promise<void>;
}

/** A SIM as fleet.json carries it (docs/design.md, fleet.json); Ki and OPc are hex. */
export interface DeviceSim {
  imsi: string;
  iccid: string;
  msisdn: string;
  imei: string;
  ki: string;
  opc: string;
  group: string;
  /** SORACOM-style SIM id, when the fleet has one. */
  simId?: string;
}

export interface Device<State extends object = Record<string, unknown>> {
  /** Global index in the run, 0-based; identical across shards (device 7 is always device 7). */
  readonly index: number;
  /** A name unique in the run and valid as thing name and MQTT client id. */
  readonly name: string;
  readonly sim: DeviceSim;
  /** What manufacture hands to boot (key, certificate, thing name). Starts empty. */
  readonly state: Partial<State>;
}

export type KeyType = 'rsa' | 'ec';

export interface ScenarioOptions {
  /** Device key type: `rsa` (RSA-2048, what AWS issues; default) or `ec` (P-256, faster). */
  readonly keyType: KeyType;
  readonly seed: number;
  /** Whether the target enforces AWS's default quotas (`aws`) or none. */
  readonly quotas: 'aws' | 'none';
  /** Budget for one device's lifecycle (manufacture + boot); `ctx.signal` aborts after it. */
  readonly timeoutMs: number;
  /** Attempts per API call including the first, for `ctx.call` and the IoT client. */
  readonly maxAttempts: number;
  /** Selected variant (see Scenario.variants) or null. */
  readonly variant: string | null;
  /** Devices requested in the whole run (all shards). */
  readonly devices: number;
}

/**
 * Where the target's AWS IoT lives. Scenarios use `ctx.iot` for the control plane; the rest is
 * for device-side connections.
 */
export interface IoTEndpoint {
  /** `embedded`, `localstack` or `aws`. */
  readonly target: string;
  readonly region: string;
  readonly accountId: string | null;
  /** Control-plane base URL, or null to let the SDK pick AWS's regional endpoint. */
  readonly controlPlaneUrl: string | null;
  /** MQTT over mTLS endpoint (port 8883 on AWS), or null if the target has no data plane. */
  readonly mqttHost: string | null;
  readonly mqttPort: number | null;
  /** CA bundle (PEM) devices trust for MQTT and the bootstrap API. */
  readonly rootCaPem: string;
  /** Krypton-compatible bootstrap + SIM keys API base URL, or null. */
  readonly kryptonUrl: string | null;
  /**
   * Where devices reach the credentials provider (`https://host:port`) when it is not the
   * DescribeEndpoint `iot:CredentialProvider` host on port 443 (the embedded emulator's port).
   */
  readonly credentialsProviderUrl?: string | null;
}

/** A logger that redacts PEM blocks and never prints fields named like key material. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface CallOptions {
  /** Attempts including the first; defaults to `ctx.options.maxAttempts`. */
  maxAttempts?: number;
}

export interface RunContext {
  readonly runId: string;
  readonly scenarioId: string;
  /**
   * The control plane: an IoTClient with the SDK's own retries off (maxAttempts 1). Every
   * `send` is counted per API (calls and attempts) and retried by provbench with exponential
   * backoff and full jitter on throttling, server errors and timeouts; the retries show up in
   * the result, never hidden. Wrap sends in `ctx.phase` to time them.
   */
  readonly iot: IoTClient;
  /**
   * The control plane as another actor of the pattern (e.g. the JITR activator in `prepare`):
   * with that actor's own credentials when the target gives actors their own, else `iot`.
   */
  iotAs(actor: IamActor): IoTClient;
  readonly endpoint: IoTEndpoint;
  readonly ledger: Ledger;
  readonly options: ScenarioOptions;
  readonly log: Logger;
  /** Written by prepare (main thread), read by manufacture/boot (workers): structured-cloneable. */
  readonly shared: Record<string, unknown>;
  /** Tags to put on resources that accept them (`[{Key, Value}]`, includes the run id). */
  readonly tags: ReadonlyArray<{ Key: string; Value: string }>;
  /** Aborted when the device's timeout expires or the run is interrupted. */
  readonly signal: AbortSignal;
  /**
   * Times `fn` as phase `name` (histogram per phase; in prepare/teardown named `prepare:name`).
   * A thrown error is classified, counted against this phase once and rethrown.
   */
  phase<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * A counted API call that is not an IoTClient send (an MQTT request/response topic, a Krypton
   * HTTP call): counted as one call of `api`, with one attempt per try; retried with backoff
   * and jitter when the thrown error's class is retryable (throttled, server_error, timeout).
   */
  call<T>(api: string, fn: (attempt: number) => Promise<T>, options?: CallOptions): Promise<T>;
  /**
   * The device's field link: open every device connection with `link.connectTls` (see "The
   * field link" above). Per device in workers; in prepare/teardown a wired, uncounted link.
   */
  readonly link: FieldLink;
}
