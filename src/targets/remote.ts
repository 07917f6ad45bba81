import { readFileSync } from 'node:fs';
import { DescribeEndpointCommand } from '@aws-sdk/client-iot';
import { AMAZON_ROOT_CA_1 } from './amazon-root-ca.js';
import { createIoTClient, type IoTClientConfig, LOCAL_CREDENTIALS } from './iot-client.js';
import type { StartedTarget, TargetOptions } from './target.js';

export const DEFAULT_LOCALSTACK_URL = 'http://localhost.localstack.cloud:4566';
/** LocalStack regenerates its IoT root CA per start and serves it here (its IoT docs). */
export const LOCALSTACK_ROOT_CA_PATH = '/_aws/iot/LocalStackIoTRootCA.pem';

async function dataEndpoint(config: IoTClientConfig): Promise<{ host: string; port: number } | null> {
  const iot = createIoTClient(config);
  try {
    const described = await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
    const address = described.endpointAddress;
    if (!address) return null;
    const [host, port] = address.split(':');
    return host ? { host, port: port ? Number(port) : 8883 } : null;
  } catch {
    return null;
  } finally {
    iot.destroy();
  }
}

/**
 * LocalStack (or any AWS IoT control plane at a URL, e.g. moto in server mode, or a standalone
 * `provbench emulator`): static test credentials, the MQTT endpoint given (`--mqtt-endpoint`,
 * a ready file) or else DescribeEndpoint's (null when the target has no broker, as with moto),
 * LocalStack's root CA from its well-known URL or `--root-ca <file>`.
 */
export async function startLocalStackTarget(
  options: TargetOptions & { rootCaFile?: string },
): Promise<StartedTarget> {
  const base = (options.endpointUrl ?? process.env.LOCALSTACK_ENDPOINT ?? DEFAULT_LOCALSTACK_URL).replace(
    /\/$/,
    '',
  );
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const iotConfig: IoTClientConfig = {
    region,
    endpoint: base,
    credentials: { ...LOCAL_CREDENTIALS },
    requestTimeoutMs: options.requestTimeoutMs,
  };
  const mqtt = options.mqttEndpoint ?? (await dataEndpoint(iotConfig));
  let rootCaPem = '';
  if (options.rootCaFile) {
    rootCaPem = readFileSync(options.rootCaFile, 'utf8');
  } else {
    const response = await fetch(`${base}${LOCALSTACK_ROOT_CA_PATH}`, {
      signal: AbortSignal.timeout(10_000),
    }).catch(() => null);
    if (response?.ok) rootCaPem = await response.text();
  }
  return {
    name: 'localstack',
    endpoint: {
      target: 'localstack',
      region,
      accountId: options.accountId ?? null,
      controlPlaneUrl: base,
      mqttHost: mqtt?.host ?? null,
      mqttPort: mqtt?.port ?? null,
      rootCaPem,
      kryptonUrl: options.kryptonUrl ?? null,
      credentialsProviderUrl: options.credentialsProviderUrl ?? null,
    },
    iotConfig,
    close: async () => {},
  };
}

/**
 * Real AWS IoT Core: the default credential chain and region, the account's ATS data endpoint
 * on port 8883 (or the `--mqtt-endpoint` given), Amazon Root CA 1. The command refuses to get here without --yes and
 * --max-devices.
 */
export async function startAwsTarget(options: TargetOptions): Promise<StartedTarget> {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION) or pass --region');
  const iotConfig: IoTClientConfig = {
    region,
    endpoint: null,
    credentials: null,
    requestTimeoutMs: options.requestTimeoutMs,
  };
  const mqtt = options.mqttEndpoint ?? (await dataEndpoint(iotConfig));
  if (!mqtt) {
    throw new Error(
      `DescribeEndpoint (iot:Data-ATS) failed in ${region}: check credentials (aws sts get-caller-identity) and iot:DescribeEndpoint permission`,
    );
  }
  return {
    name: 'aws',
    endpoint: {
      target: 'aws',
      region,
      accountId: null,
      controlPlaneUrl: null,
      mqttHost: mqtt.host,
      mqttPort: options.mqttEndpoint?.port ?? 8883,
      rootCaPem: AMAZON_ROOT_CA_1,
      kryptonUrl: options.kryptonUrl ?? null,
    },
    iotConfig,
    close: async () => {},
  };
}
