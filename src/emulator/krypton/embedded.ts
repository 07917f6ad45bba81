import type { EmulatorPki } from '../../pki/emulator-pki.js';
import { DEFAULT_FLEET } from '../../sim/generate.js';
import type { SimRecord } from '../../sim/sim-record.js';
import { InProcessRequestHandler } from '../control-plane/in-process-handler.js';
import { coHostedControlPlane } from '../control-plane/server.js';
import { type KryptonServer, startKryptonServer } from './server.js';

/** Policy the default group attaches: each Thing connects as itself and uses its own topics. */
export const DEFAULT_KRYPTON_POLICY = 'provbench-krypton-devices';
// biome-ignore lint/suspicious/noTemplateCurlyInString: AWS IoT policy variable syntax
const THING = '${iot:Connection.Thing.ThingName}';
const DEFAULT_POLICY_DOCUMENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: `arn:aws:iot:*:*:client/${THING}` },
    {
      Effect: 'Allow',
      Action: ['iot:Publish', 'iot:Receive'],
      Resource: `arn:aws:iot:*:*:topic/devices/${THING}/*`,
    },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: `arn:aws:iot:*:*:topicfilter/devices/${THING}/*` },
  ],
});

export interface EmbeddedKryptonOptions {
  pki: EmulatorPki;
  /**
   * The emulator's control plane, which the service provisions through; when it listens in this
   * process, the service's calls skip the socket (docs/fidelity.md).
   */
  controlPlaneUrl: string;
  region: string;
  /** MQTT host returned to devices as `host`. */
  mqttHost: string;
  host?: string;
  port?: number;
  /** SIMs from `--fleet`. */
  sims?: readonly SimRecord[];
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The Krypton service as the embedded emulator runs it: TLS certificate from the emulator's CA,
 * group `krypton` (the fleet default) enabled with thing names `krypton-$imsi` and the
 * `provbench-krypton-devices` policy, created on the control plane by the first bootstrap that
 * needs it (so an emulator nobody bootstraps on has an untouched account).
 */
export async function startEmbeddedKrypton(options: EmbeddedKryptonOptions): Promise<KryptonServer> {
  const credentials = options.credentials ?? { accessKeyId: 'provbench', secretAccessKey: 'provbench' };
  const host = options.host ?? '127.0.0.1';
  const tls = await options.pki.issueServerCertificate([...new Set([host, '127.0.0.1', 'localhost'])]);
  const controlPlane = coHostedControlPlane(options.controlPlaneUrl);
  return startKryptonServer({
    tls: { key: tls.privateKeyPem, cert: tls.chainPem },
    host,
    port: options.port ?? 0,
    rootCaPem: options.pki.bundlePem,
    sims: options.sims,
    groups: {
      [DEFAULT_FLEET.group]: {
        enabled: true,
        awsIot: {
          region: options.region,
          policyName: DEFAULT_KRYPTON_POLICY,
          thingNamePattern: 'krypton-$imsi',
          host: options.mqttHost,
        },
      },
    },
    provisioner: {
      endpoint: options.controlPlaneUrl,
      credentials,
      ensurePolicy: { policyName: DEFAULT_KRYPTON_POLICY, policyDocument: DEFAULT_POLICY_DOCUMENT },
      ...(controlPlane
        ? {
            coHosted: {
              endpoint: options.controlPlaneUrl,
              requestHandler: new InProcessRequestHandler(controlPlane),
            },
          }
        : {}),
    },
  });
}
