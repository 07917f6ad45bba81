import {
  CertificateStateException,
  CertificateValidationException,
  DeleteCACertificateCommand,
  DeleteRegistrationCodeCommand,
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  GetRegistrationCodeCommand,
  InvalidRequestException,
  LimitExceededException,
  ListCACertificatesCommand,
  ListCertificatesByCACommand,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
  RegistrationCodeValidationException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UpdateCACertificateCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa } from '../../support/byo-ca.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

let test: TestEmulator;

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [], keyPoolSize: 0 });
});

afterAll(async () => {
  await test?.close();
});

async function registrationCode(): Promise<string> {
  return (await test.iot.send(new GetRegistrationCodeCommand({}))).registrationCode!;
}

describe('registration code', () => {
  it('is 64 hex characters, stable until deleted, then new', async () => {
    const first = await registrationCode();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await registrationCode()).toBe(first);
    await test.iot.send(new DeleteRegistrationCodeCommand({}));
    await expect(test.iot.send(new DeleteRegistrationCodeCommand({}))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const second = await registrationCode();
    expect(second).not.toBe(first);
  });
});

describe('RegisterCACertificate', () => {
  it('registers a CA with a verification cert (DEFAULT), INACTIVE unless setAsActive', async () => {
    const ca = await createTestCa('CN=Default Mode CA');
    const registered = await test.iot.send(
      new RegisterCACertificateCommand({
        caCertificate: ca.certificatePem,
        verificationCertificate: await ca.verificationCertificate(await registrationCode()),
        tags: [{ Key: 'team', Value: 'fleet' }],
      }),
    );
    expect(registered.certificateArn).toBe(
      `arn:aws:iot:us-east-1:123456789012:cacert/${registered.certificateId}`,
    );
    expect(registered.certificateId).toBe(ca.signer.certificate.certificateId);
    const described = await test.iot.send(
      new DescribeCACertificateCommand({ certificateId: registered.certificateId }),
    );
    expect(described.certificateDescription?.status).toBe('INACTIVE');
    expect(described.certificateDescription?.autoRegistrationStatus).toBe('DISABLE');
    expect(described.certificateDescription?.certificateMode).toBe('DEFAULT');
    const again = await test.iot
      .send(
        new RegisterCACertificateCommand({
          caCertificate: ca.certificatePem,
          verificationCertificate: await ca.verificationCertificate(await registrationCode()),
        }),
      )
      .catch((error: unknown) => error);
    expect(again).toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it('checks the verification certificate: CN must be the code, signed by the CA key, present in DEFAULT mode', async () => {
    const ca = await createTestCa('CN=Checked CA');
    const other = await createTestCa('CN=Other CA');
    const code = await registrationCode();
    const register = (
      verificationCertificate: string | undefined,
      certificateMode?: 'DEFAULT' | 'SNI_ONLY',
    ) =>
      test.iot.send(
        new RegisterCACertificateCommand({
          caCertificate: ca.certificatePem,
          verificationCertificate,
          certificateMode,
        }),
      );
    await expect(register(await ca.verificationCertificate('f'.repeat(64)))).rejects.toBeInstanceOf(
      RegistrationCodeValidationException,
    );
    await expect(register(await other.verificationCertificate(code))).rejects.toBeInstanceOf(
      CertificateValidationException,
    );
    await expect(register(undefined)).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(register(await ca.verificationCertificate(code), 'SNI_ONLY')).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    await expect(
      test.iot.send(new RegisterCACertificateCommand({ caCertificate: 'not a pem' })),
    ).rejects.toBeInstanceOf(CertificateValidationException);
    const device = await ca.deviceCertificate('leaf');
    await expect(
      test.iot.send(
        new RegisterCACertificateCommand({
          caCertificate: device.certificate.pem,
          certificateMode: 'SNI_ONLY',
        }),
      ),
    ).rejects.toBeInstanceOf(CertificateValidationException);
    // Nothing was half-written by the failures.
    const listed = await test.iot.send(new ListCACertificatesCommand({}));
    expect(listed.certificates?.map((c) => c.certificateId)).not.toContain(
      ca.signer.certificate.certificateId,
    );
  });

  it('registers without a verification cert in SNI_ONLY mode', async () => {
    const ca = await createTestCa('CN=SNI Only CA');
    const registered = await test.iot.send(
      new RegisterCACertificateCommand({
        caCertificate: ca.certificatePem,
        certificateMode: 'SNI_ONLY',
        setAsActive: true,
        allowAutoRegistration: true,
      }),
    );
    const described = await test.iot.send(
      new DescribeCACertificateCommand({ certificateId: registered.certificateId }),
    );
    expect(described.certificateDescription).toMatchObject({
      status: 'ACTIVE',
      autoRegistrationStatus: 'ENABLE',
      certificateMode: 'SNI_ONLY',
    });
  });

  it('allows at most 10 CAs with the same subject (LimitExceeded)', async () => {
    const subject = 'CN=Crowded Subject CA';
    for (let index = 0; index < 10; index += 1) {
      const ca = await createTestCa(subject);
      await test.iot.send(
        new RegisterCACertificateCommand({ caCertificate: ca.certificatePem, certificateMode: 'SNI_ONLY' }),
      );
    }
    const eleventh = await createTestCa(subject);
    const error = await test.iot
      .send(
        new RegisterCACertificateCommand({
          caCertificate: eleventh.certificatePem,
          certificateMode: 'SNI_ONLY',
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LimitExceededException);
    expect((error as LimitExceededException).$metadata.httpStatusCode).toBe(410);
  });
});

describe('device certificates under a registered CA', () => {
  it('registers only under an ACTIVE CA, only if really signed by it, in the CA mode', async () => {
    const ca = await createTestCa('CN=Fleet CA');
    const impostor = await createTestCa('CN=Fleet CA');
    const { certificateId: caId } = await test.iot.send(
      new RegisterCACertificateCommand({
        caCertificate: ca.certificatePem,
        verificationCertificate: await ca.verificationCertificate(await registrationCode()),
      }),
    );
    const device = await ca.deviceCertificate('device-1');
    const forged = await impostor.deviceCertificate('device-2');

    await expect(
      test.iot.send(new RegisterCertificateCommand({ certificatePem: device.certificate.pem })),
    ).rejects.toBeInstanceOf(CertificateStateException);
    await test.iot.send(new UpdateCACertificateCommand({ certificateId: caId, newStatus: 'ACTIVE' }));
    await expect(
      test.iot.send(new RegisterCertificateCommand({ certificatePem: forged.certificate.pem })),
    ).rejects.toBeInstanceOf(CertificateValidationException);
    await expect(
      test.iot.send(
        new RegisterCertificateCommand({
          certificatePem: forged.certificate.pem,
          caCertificatePem: ca.certificatePem,
        }),
      ),
    ).rejects.toBeInstanceOf(CertificateValidationException);

    const registered = await test.iot.send(
      new RegisterCertificateCommand({
        certificatePem: device.certificate.pem,
        caCertificatePem: ca.certificatePem,
        status: 'ACTIVE',
      }),
    );
    expect(registered.certificateId).toBe(device.certificate.certificateId);
    const { certificateDescription } = await test.iot.send(
      new DescribeCertificateCommand({ certificateId: registered.certificateId }),
    );
    expect(certificateDescription).toMatchObject({
      status: 'ACTIVE',
      caCertificateId: caId,
      certificateMode: 'DEFAULT',
    });
    const byCa = await test.iot.send(new ListCertificatesByCACommand({ caCertificateId: caId }));
    expect(byCa.certificates?.map((c) => c.certificateId)).toEqual([registered.certificateId]);
    const second = await ca.deviceCertificate('device-3');
    const inactive = await test.iot.send(
      new RegisterCertificateCommand({ certificatePem: second.certificate.pem }),
    );
    const described = await test.iot.send(
      new DescribeCertificateCommand({ certificateId: inactive.certificateId }),
    );
    expect(described.certificateDescription?.status).toBe('INACTIVE');
  });

  it('refuses to delete an ACTIVE CA, deletes it once INACTIVE', async () => {
    const ca = await createTestCa('CN=Short Lived CA');
    const { certificateId } = await test.iot.send(
      new RegisterCACertificateCommand({
        caCertificate: ca.certificatePem,
        certificateMode: 'SNI_ONLY',
        setAsActive: true,
      }),
    );
    await expect(test.iot.send(new DeleteCACertificateCommand({ certificateId }))).rejects.toBeInstanceOf(
      CertificateStateException,
    );
    await test.iot.send(
      new UpdateCACertificateCommand({
        certificateId,
        newStatus: 'INACTIVE',
        newAutoRegistrationStatus: 'ENABLE',
        registrationConfig: {
          templateBody: '{"Resources":{}}',
          roleArn: 'arn:aws:iam::123456789012:role/jitp',
        },
      }),
    );
    const described = await test.iot.send(new DescribeCACertificateCommand({ certificateId }));
    expect(described.certificateDescription?.autoRegistrationStatus).toBe('ENABLE');
    expect(described.registrationConfig?.roleArn).toBe('arn:aws:iam::123456789012:role/jitp');
    await test.iot.send(new UpdateCACertificateCommand({ certificateId, removeAutoRegistration: true }));
    expect(
      (await test.iot.send(new DescribeCACertificateCommand({ certificateId }))).registrationConfig,
    ).toEqual({});
    await test.iot.send(new DeleteCACertificateCommand({ certificateId }));
    await expect(test.iot.send(new DescribeCACertificateCommand({ certificateId }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('pages ListCACertificates', async () => {
    const first = await test.iot.send(new ListCACertificatesCommand({ pageSize: 3 }));
    expect(first.certificates).toHaveLength(3);
    expect(first.nextMarker).toBeTruthy();
    const rest = await test.iot.send(
      new ListCACertificatesCommand({ pageSize: 250, marker: first.nextMarker }),
    );
    const ids = [...first.certificates!, ...rest.certificates!].map((c) => c.certificateId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(rest.nextMarker).toBeUndefined();
  });
});
