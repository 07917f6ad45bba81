import { InvalidArgumentError } from 'commander';
import { readReadyFile, startEmbeddedTarget } from '../targets/embedded.js';
import { fetchKeySupply } from '../targets/key-supply.js';
import { startAwsTarget, startLocalStackTarget } from '../targets/remote.js';
import type { StartedTarget, TargetOptions } from '../targets/target.js';
import { UsageError } from './options.js';

/** AWS IoT Core's MQTT over mTLS port. */
export const DEFAULT_MQTT_PORT = 8883;

export type TargetName = 'embedded' | 'localstack' | 'aws';

/** `--mqtt-endpoint host[:port]` (port 8883 unless given; IPv6 as [addr]:port). */
export function parseMqttEndpoint(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(value.trim());
  const host = match?.[1] ?? match?.[2];
  const port = match?.[3] === undefined ? DEFAULT_MQTT_PORT : Number(match[3]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(
      'expected host[:port], e.g. a1b2c3-ats.iot.eu-west-1.amazonaws.com or 127.0.0.1:8883',
    );
  }
  return { host, port };
}

/** What `provbench run` was told about the target. */
export interface TargetChoice {
  target: TargetName;
  /** Whether --target was given (not its default). */
  targetGiven: boolean;
  readyFile?: string;
  mqttEndpoint?: { host: string; port: number };
  endpointUrl?: string;
  region?: string;
  rootCa?: string;
  kryptonUrl?: string;
  credentialsProviderUrl?: string;
  accountId?: string;
}

/**
 * Settles the target: `--ready-file` (a standalone `provbench emulator`) is a remote target at a
 * URL, like LocalStack, whose control plane, region, account, MQTT endpoint, Krypton URL and
 * root CA come from the file; flags given as well win over the file.
 */
export function resolveTarget(choice: TargetChoice): TargetChoice {
  if (choice.mqttEndpoint && choice.target === 'embedded' && !choice.readyFile) {
    throw new UsageError(
      '--mqtt-endpoint is for remote targets (--target localstack or aws, or --ready-file); the embedded emulator knows its own',
    );
  }
  if (!choice.readyFile) return choice;
  if (choice.targetGiven && choice.target !== 'localstack') {
    throw new UsageError(
      `--ready-file points at a standalone provbench emulator, a remote target at a URL: drop --target ${choice.target} (or use --target localstack)`,
    );
  }
  let ready: ReturnType<typeof readReadyFile>;
  try {
    ready = readReadyFile(choice.readyFile);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const mqttFromFile =
    ready.mqttHost && ready.mqttPort ? { host: ready.mqttHost, port: ready.mqttPort } : undefined;
  return {
    ...choice,
    target: 'localstack',
    endpointUrl: choice.endpointUrl ?? ready.controlPlaneUrl,
    region: choice.region ?? ready.region,
    mqttEndpoint: choice.mqttEndpoint ?? mqttFromFile,
    rootCa: choice.rootCa ?? ready.rootCaFile,
    kryptonUrl: choice.kryptonUrl ?? ready.kryptonUrl ?? undefined,
    credentialsProviderUrl: ready.credentialsProviderUrl ?? undefined,
    accountId: ready.accountId,
  };
}

export async function startTarget(
  choice: TargetChoice,
  options: Omit<
    TargetOptions,
    'endpointUrl' | 'region' | 'kryptonUrl' | 'mqttEndpoint' | 'accountId' | 'credentialsProviderUrl'
  >,
): Promise<StartedTarget> {
  const targetOptions: TargetOptions = {
    ...options,
    endpointUrl: choice.endpointUrl,
    region: choice.region,
    kryptonUrl: choice.kryptonUrl,
    mqttEndpoint: choice.mqttEndpoint,
    accountId: choice.accountId,
    credentialsProviderUrl: choice.credentialsProviderUrl,
  };
  switch (choice.target) {
    case 'embedded':
      return startEmbeddedTarget(targetOptions);
    case 'localstack': {
      const target = await startLocalStackTarget({ ...targetOptions, rootCaFile: choice.rootCa });
      // A standalone provbench emulator (--ready-file) can say where its device keys came from.
      const url = choice.readyFile ? choice.endpointUrl : undefined;
      return url ? { ...target, keySupply: () => fetchKeySupply(url) } : target;
    }
    case 'aws':
      return startAwsTarget(targetOptions);
  }
}
