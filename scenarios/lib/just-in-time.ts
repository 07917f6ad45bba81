import type { Device, RunContext } from '../../src/contract/index.js';
import { type CustomerCaDeviceState, customerCaCredentialsOf, type SharedCa } from './customer-ca.js';
import { connectUntilAccepted, proveConnected } from './field.js';

/** Reconnect budget: the JITR activator makes 5 control-plane calls per device, 10-15 TPS on AWS. */
export const JIT_RECONNECT = { maxAttempts: 40, backoff: { baseMs: 250, capMs: 4_000 } };

/**
 * The field step of the just-in-time patterns (jitr, jitp): the device presents its
 * certificate with the customer CA's after it, reconnecting while AWS IoT registers it, then
 * proves the connection. `accepted` runs once the broker accepted it, before the proof.
 */
export async function bootJustInTime(
  device: Device<CustomerCaDeviceState>,
  ctx: RunContext,
  accepted?: () => void,
): Promise<void> {
  const { thingName, certificatePem, privateKeyPem } = customerCaCredentialsOf(device);
  const credentials = {
    clientId: thingName,
    certificatePem,
    privateKeyPem,
    chainPem: (ctx.shared.ca as SharedCa).caCertificatePem,
  };
  const connection = await connectUntilAccepted(ctx, credentials, JIT_RECONNECT);
  accepted?.();
  await proveConnected(device, ctx, credentials, connection);
}
