import {
  DeleteCACertificateCommand,
  DescribeCACertificateCommand,
  ListCACertificatesCommand,
  RegisterCACertificateCommand,
  UpdateCACertificateCommand,
} from '@aws-sdk/client-iot';
import { createTestCa } from '../../../../../support/byo-ca.js';
import type { ConformanceCase } from '../world.js';
import { registeredCa } from './certificates.js';

export const caCertificateCases: ConformanceCase[] = [
  {
    operation: 'RegisterCACertificate',
    success: (world) => registeredCa(world, 'Conformance Registered CA'),
    error: (world) =>
      world.iot.send(
        new RegisterCACertificateCommand({ caCertificate: 'garbage', certificateMode: 'SNI_ONLY' }),
      ),
    errorCode: 'CertificateValidationException',
  },
  {
    operation: 'DescribeCACertificate',
    success: async (world) => {
      const { certificateId } = await registeredCa(world, 'Conformance Described CA');
      return world.iot.send(new DescribeCACertificateCommand({ certificateId }));
    },
    error: (world) => world.iot.send(new DescribeCACertificateCommand({ certificateId: 'f'.repeat(64) })),
    errorCode: 'ResourceNotFoundException',
  },
  {
    operation: 'UpdateCACertificate',
    success: async (world) => {
      const { certificateId } = await registeredCa(world, 'Conformance Updated CA');
      return world.iot.send(new UpdateCACertificateCommand({ certificateId, newStatus: 'INACTIVE' }));
    },
    error: async (world) => {
      const { certificateId } = await registeredCa(world, 'Conformance Misupdated CA');
      return world.iot.send(
        new UpdateCACertificateCommand({ certificateId, newAutoRegistrationStatus: 'SOMETIMES' as 'ENABLE' }),
      );
    },
    errorCode: 'InvalidRequestException',
  },
  {
    operation: 'DeleteCACertificate',
    success: async (world) => {
      const ca = await createTestCa('CN=Conformance Deleted CA');
      const { certificateId } = await world.iot.send(
        new RegisterCACertificateCommand({ caCertificate: ca.certificatePem, certificateMode: 'SNI_ONLY' }),
      );
      return world.iot.send(new DeleteCACertificateCommand({ certificateId }));
    },
    error: async (world) => {
      const { certificateId } = await registeredCa(world, 'Conformance Active CA');
      return world.iot.send(new DeleteCACertificateCommand({ certificateId }));
    },
    errorCode: 'CertificateStateException',
  },
  {
    operation: 'ListCACertificates',
    success: async (world) => {
      await registeredCa(world, 'Conformance Listed CA');
      return world.iot.send(new ListCACertificatesCommand({}));
    },
    error: (world) => world.iot.send(new ListCACertificatesCommand({ pageSize: 251 })),
    errorCode: 'InvalidRequestException',
  },
];
