import {
  GetRegistrationCodeCommand,
  RegisterCACertificateCommand,
  type RegistrationConfig,
} from '@aws-sdk/client-iot';
import { type Device, ProtocolError, type RunContext } from '../../src/contract/index.js';
import { certificateIdOf } from '../../src/pki/certificate.js';
import { DeviceCa } from './device-ca.js';
import { dnValue } from './device-keys.js';
import { thingNameOf } from './names.js';

/** What devices need from the customer CA, kept in `ctx.shared` (structured-cloneable). */
export interface SharedCa {
  caCertificatePem: string;
  /**
   * The CA key travels to the factory workers in memory, never logged; written only while a
   * resumable run needs it (its run dir's prepared-<n>.json, mode 0600, gone once the scenario ended).
   */
  caPrivateKeyPem: string;
  caCertificateId: string;
}

/**
 * The customer CA's one-time setup: create it, GetRegistrationCode, sign a verification
 * certificate with CN = the code, RegisterCACertificate (ACTIVE), recorded in the ledger.
 */
export async function registerCustomerCa(
  ctx: RunContext,
  options: { allowAutoRegistration: boolean; registrationConfig?: RegistrationConfig },
): Promise<SharedCa> {
  const ca = await ctx.phase('create-ca', () =>
    DeviceCa.create({ commonName: `provbench ${ctx.scenarioId} CA ${ctx.runId}`, keyType: 'ec' }),
  );
  const { registrationCode } = await ctx.phase('get-registration-code', () =>
    ctx.iot.send(new GetRegistrationCodeCommand({})),
  );
  if (!registrationCode) throw new ProtocolError('GetRegistrationCode returned no registrationCode');
  const verificationCertificate = await ca.verificationCertificate(registrationCode);
  // A CA certificate's id is its DER's SHA-256: recorded before RegisterCACertificate makes it.
  const caCertificateId = certificateIdOf(ca.certificatePem);
  const registered = await ctx.phase('register-ca-certificate', () =>
    ctx.ledger.track(
      { kind: 'ca-certificate', id: caCertificateId },
      () =>
        ctx.iot.send(
          new RegisterCACertificateCommand({
            caCertificate: ca.certificatePem,
            verificationCertificate,
            setAsActive: true,
            allowAutoRegistration: options.allowAutoRegistration,
            registrationConfig: options.registrationConfig,
            tags: [...ctx.tags],
          }),
        ),
      (out) => ({ id: out.certificateId, arn: out.certificateArn }),
    ),
  );
  if (!registered.certificateId) throw new ProtocolError('RegisterCACertificate returned no certificateId');
  return {
    caCertificatePem: ca.certificatePem,
    caPrivateKeyPem: ca.privateKeyPem,
    caCertificateId: registered.certificateId,
  };
}

const caCache = new Map<string, Promise<DeviceCa>>();

/** The customer CA in a worker, rebuilt once per worker from `ctx.shared`. */
export function customerCaOf(shared: Record<string, unknown>): Promise<DeviceCa> {
  const ca = shared.ca as SharedCa | undefined;
  if (!ca) throw new ProtocolError('ctx.shared.ca is missing: prepare must register the customer CA first');
  let cached = caCache.get(ca.caCertificateId);
  if (!cached) {
    cached = DeviceCa.fromPem(ca.caCertificatePem, ca.caPrivateKeyPem);
    caCache.set(ca.caCertificateId, cached);
  }
  return cached;
}

/** What a device made by manufactureWithCustomerCa carries from the factory to the field. */
export interface CustomerCaDeviceState {
  thingName: string;
  certificatePem: string;
  privateKeyPem: string;
}

/**
 * The just-in-time factory step (jitr, jitp): the device's key and a certificate from the
 * customer CA with CN = its thing name; nothing is registered with AWS IoT.
 */
export async function manufactureWithCustomerCa(
  device: Device<CustomerCaDeviceState>,
  ctx: RunContext,
): Promise<void> {
  const thingName = thingNameOf(device);
  const ca = await customerCaOf(ctx.shared);
  const issued = await ctx.phase('ca-issue', () =>
    ca.issueDevice(`CN=${dnValue(thingName)}`, ctx.options.keyType),
  );
  device.state.thingName = thingName;
  device.state.certificatePem = issued.certificatePem;
  device.state.privateKeyPem = issued.key.privateKeyPem;
}

/** What manufactureWithCustomerCa left on the device, for boot. */
export function customerCaCredentialsOf(device: Device<CustomerCaDeviceState>): CustomerCaDeviceState {
  const { thingName, certificatePem, privateKeyPem } = device.state;
  if (!thingName || !certificatePem || !privateKeyPem) {
    throw new ProtocolError(`device ${device.index} has no certificate: manufacture must run first`);
  }
  return { thingName, certificatePem, privateKeyPem };
}
