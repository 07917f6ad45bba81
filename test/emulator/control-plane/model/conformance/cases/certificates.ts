import {
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  DeleteCertificateCommand,
  DeleteRegistrationCodeCommand,
  DescribeCertificateCommand,
  GetRegistrationCodeCommand,
  ListCertificatesByCACommand,
  ListCertificatesCommand,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { createCsrPem, generateKeyPairPem } from '../../../../../../src/pki/index.js';
import { createTestCa } from '../../../../../support/byo-ca.js';
import type { ConformanceCase, World } from '../world.js';

const MISSING_ID = '0'.repeat(64);

/** A CA registered ACTIVE in DEFAULT mode (with a verification certificate). */
export async function registeredCa(world: World, subject: string) {
  const ca = await createTestCa(`CN=${subject}`);
  const { registrationCode } = await world.iot.send(new GetRegistrationCodeCommand({}));
  const registered = await world.iot.send(
    new RegisterCACertificateCommand({
      caCertificate: ca.certificatePem,
      verificationCertificate: await ca.verificationCertificate(registrationCode!),
      setAsActive: true,
    }),
  );
  return { ca, certificateId: registered.certificateId! };
}

export const certificateCases: ConformanceCase[] = [
  {
    operation: 'CreateKeysAndCertificate',
    success: (world) => world.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: false })),
    // The SDK only sends true/false: a raw query with another word.
    error: (world) =>
      world.raw({ method: 'POST', path: '/keys-and-certificate', query: { setAsActive: 'maybe' } }),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'CreateCertificateFromCsr',
    success: async (world) => {
      const csr = await createCsrPem(await generateKeyPairPem('ec-p256'), 'CN=conformance-csr');
      return world.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr }));
    },
    error: (world) =>
      world.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: 'x'.repeat(4097) })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'RegisterCertificate',
    success: async (world) => {
      const { ca } = await registeredCa(world, 'Conformance Register CA');
      const device = await ca.deviceCertificate('conformance-registered');
      return world.iot.send(new RegisterCertificateCommand({ certificatePem: device.certificate.pem }));
    },
    error: (world) => world.iot.send(new RegisterCertificateCommand({ certificatePem: 'not a certificate' })),
    errorCode: 'CertificateValidationException',
  },
  {
    operation: 'RegisterCertificateWithoutCA',
    success: async (world) => {
      const device = await (await world.ca()).deviceCertificate(world.name('without-ca'));
      return world.iot.send(
        new RegisterCertificateWithoutCACommand({ certificatePem: device.certificate.pem }),
      );
    },
    error: (world) =>
      world.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem: 'not a certificate' })),
    errorCode: 'CertificateValidationException',
  },
  {
    operation: 'DescribeCertificate',
    success: async (world) => {
      const { certificateId } = await world.certificate();
      return world.iot.send(new DescribeCertificateCommand({ certificateId }));
    },
    error: (world) => world.iot.send(new DescribeCertificateCommand({ certificateId: MISSING_ID })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'UpdateCertificate',
    success: async (world) => {
      const { certificateId } = await world.iot.send(new CreateKeysAndCertificateCommand({}));
      return world.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'ACTIVE' }));
    },
    error: async (world) => {
      const { certificateId } = await world.certificate();
      return world.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'BOGUS' as 'ACTIVE' }));
    },
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'DeleteCertificate',
    success: async (world) => {
      const { certificateId } = await world.iot.send(new CreateKeysAndCertificateCommand({}));
      return world.iot.send(new DeleteCertificateCommand({ certificateId }));
    },
    error: async (world) => {
      const { certificateId } = await world.certificate();
      return world.iot.send(new DeleteCertificateCommand({ certificateId }));
    },
    errorCode: 'CertificateStateException',
  },
  {
    operation: 'ListCertificates',
    success: async (world) => {
      await world.certificate();
      return world.iot.send(new ListCertificatesCommand({ pageSize: 250 }));
    },
    error: (world) => world.iot.send(new ListCertificatesCommand({ pageSize: 0 })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'ListCertificatesByCA',
    success: async (world) => {
      const { ca, certificateId } = await registeredCa(world, 'Conformance ByCA CA');
      const device = await ca.deviceCertificate('conformance-by-ca');
      await world.iot.send(new RegisterCertificateCommand({ certificatePem: device.certificate.pem }));
      return world.iot.send(new ListCertificatesByCACommand({ caCertificateId: certificateId }));
    },
    error: (world) => world.iot.send(new ListCertificatesByCACommand({ caCertificateId: 'not-an-id' })),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'GetRegistrationCode',
    success: (world) => world.iot.send(new GetRegistrationCodeCommand({})),
    // No input to get wrong: a body that is not JSON.
    error: (world) => world.raw({ method: 'GET', path: '/registrationcode', body: '{' }),
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'DeleteRegistrationCode',
    success: async (world) => {
      await world.iot.send(new GetRegistrationCodeCommand({}));
      return world.iot.send(new DeleteRegistrationCodeCommand({}));
    },
    error: async (world) => {
      await world.iot.send(new GetRegistrationCodeCommand({}));
      await world.iot.send(new DeleteRegistrationCodeCommand({}));
      return world.iot.send(new DeleteRegistrationCodeCommand({}));
    },
    errorCode: 'ResourceNotFoundException',
  },
];
