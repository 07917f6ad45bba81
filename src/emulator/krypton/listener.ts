import { readFleetFile } from '../../sim/fleet-file.js';
import type { EmulatorListenerFactory } from '../options.js';
import { startEmbeddedKrypton } from './embedded.js';

/** The emulator's Krypton listener: `--krypton-port`, SIMs from `--fleet`, provisioning through the emulator's control plane. */
export const kryptonListener: EmulatorListenerFactory = async (context) => {
  const sims = context.options.fleetFile ? await readFleetFile(context.options.fleetFile) : [];
  const server = await startEmbeddedKrypton({
    pki: context.pki,
    controlPlaneUrl: context.controlPlaneUrl,
    region: context.region,
    mqttHost: context.host,
    host: context.host,
    port: context.options.kryptonPort ?? 0,
    sims,
    credentials: context.iam?.serviceCredentials('krypton'),
  });
  return { name: 'krypton', kryptonUrl: server.url, close: () => server.close() };
};
