import { type Device, ProtocolError, type RunContext } from '../../src/contract/index.js';
import { provisionThingWithCertificate } from './attach.js';
import { proveConnected } from './field.js';
import { thingNameOf } from './names.js';

/** What the factory patterns (pre-issued, byo-ca) write into a device: its thing, certificate and key. */
export interface FactoryCredentials {
  thingName: string;
  certificatePem: string;
  privateKeyPem: string;
}

/** A certificate made at the factory for one device, with the key it certifies. */
export interface FactoryCertificate {
  certificateArn: string;
  certificatePem: string;
  privateKeyPem: string;
}

/**
 * The factory step of the factory patterns: thing, certificate (made by `createCertificate`),
 * the policy named `ctx.shared.policyName` and the attachments, then the credentials written
 * into the device.
 */
export async function manufactureWithCertificate(
  device: Device<FactoryCredentials>,
  ctx: RunContext,
  createCertificate: (thingName: string) => Promise<FactoryCertificate>,
): Promise<void> {
  const thingName = thingNameOf(device);
  const made = await provisionThingWithCertificate(ctx, device, {
    thingName,
    policyName: ctx.shared.policyName as string,
    createCertificate: () => createCertificate(thingName),
  });
  device.state.thingName = thingName;
  device.state.certificatePem = made.certificatePem;
  device.state.privateKeyPem = made.privateKeyPem;
}

/** The field step of the factory patterns: connect with the credentials the factory wrote. */
export async function bootWithFactoryCredentials(
  device: Device<FactoryCredentials>,
  ctx: RunContext,
): Promise<void> {
  const { thingName, certificatePem, privateKeyPem } = device.state;
  if (!thingName || !certificatePem || !privateKeyPem) {
    throw new ProtocolError(`device ${device.index} has no factory credentials: manufacture must run first`);
  }
  await proveConnected(device, ctx, { clientId: thingName, certificatePem, privateKeyPem });
}
