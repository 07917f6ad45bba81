import { type Device, type IoTEndpoint, type RunContext, ServerError } from '../../src/contract/index.js';
import { bootTopic } from './device-policy.js';
import { DeviceMqttConnection, type DeviceMqttOptions } from './mqtt-device.js';
import { retryUntilAccepted } from './retry-connect.js';

/** Credentials a device ends up with, whatever the pattern. */
export interface DeviceCredentials {
  clientId: string;
  certificatePem: string;
  privateKeyPem: string;
  /** CA certificate sent after the device certificate (JITR/JITP style), if any. */
  chainPem?: string;
  /** Source address to bind (the cellular session address), if any. */
  localAddress?: string;
  /** CA bundle the data plane's server certificate chains to; defaults to the endpoint's. */
  caPem?: string;
}

export function dataPlaneOf(endpoint: IoTEndpoint): { host: string; port: number } {
  if (!endpoint.mqttHost || !endpoint.mqttPort) {
    throw new ServerError(
      `target ${endpoint.target} reports no MQTT data plane (no mqttHost/mqttPort): start the emulator with its data plane, or use a target that has one`,
    );
  }
  return { host: endpoint.mqttHost, port: endpoint.mqttPort };
}

export function mqttOptions(ctx: RunContext, credentials: DeviceCredentials): DeviceMqttOptions {
  const { host, port } = dataPlaneOf(ctx.endpoint);
  const budget = Math.max(1_000, Math.min(ctx.options.timeoutMs, 30_000));
  return {
    host,
    port,
    clientId: credentials.clientId,
    certificatePem: credentials.certificatePem,
    privateKeyPem: credentials.privateKeyPem,
    caPem: credentials.caPem ?? ctx.endpoint.rootCaPem,
    chainPem: credentials.chainPem,
    localAddress: credentials.localAddress,
    connectTimeoutMs: budget,
    operationTimeoutMs: budget,
    link: ctx.link,
  };
}

/** One counted, timed MQTT connect (phase `phaseName`, API `mqtt:Connect`). */
export function connectDevice(
  ctx: RunContext,
  credentials: DeviceCredentials,
  phaseName = 'mqtt-connect',
): Promise<DeviceMqttConnection> {
  return ctx.phase(phaseName, () =>
    ctx.call('mqtt:Connect', () => DeviceMqttConnection.open(mqttOptions(ctx, credentials)), {
      maxAttempts: 1,
    }),
  );
}

/**
 * The end of every boot, the definition of provisioned: connect with the device's own
 * credentials and get one QoS 1 publish acknowledged (phases `mqtt-connect`, `mqtt-publish`).
 */
export async function proveConnected(
  device: Device,
  ctx: RunContext,
  credentials: DeviceCredentials,
  connection?: DeviceMqttConnection,
): Promise<void> {
  const open = connection ?? (await connectDevice(ctx, credentials));
  try {
    const payload = JSON.stringify({ device: device.index, scenario: ctx.scenarioId, at: Date.now() });
    await ctx.phase('mqtt-publish', () =>
      ctx.call('mqtt:Publish', () => open.publishAcked(bootTopic(credentials.clientId), payload), {
        maxAttempts: 1,
      }),
    );
  } finally {
    await open.end();
  }
}

/**
 * JITR/JITP field step: AWS closes the first connect of an unknown certificate (it registers
 * it and starts provisioning), so reconnect with backoff and jitter until accepted. The whole
 * loop is one phase; every attempt is one counted `mqtt:Connect` call, so the retries show in
 * the result as connect calls per device above 1.
 */
export async function connectUntilAccepted(
  ctx: RunContext,
  credentials: DeviceCredentials,
  policy: { maxAttempts: number; backoff: { baseMs: number; capMs: number } },
): Promise<DeviceMqttConnection> {
  return ctx.phase('connect-until-accepted', async () => {
    const outcome = await retryUntilAccepted(
      () =>
        ctx.call('mqtt:Connect', () => DeviceMqttConnection.open(mqttOptions(ctx, credentials)), {
          maxAttempts: 1,
        }),
      // Under AWS quotas a client ID may connect once per second: never reconnect sooner.
      { ...policy, minDelayMs: ctx.options.quotas === 'aws' ? 1_000 : 0, signal: ctx.signal },
    );
    return outcome.value;
  });
}
