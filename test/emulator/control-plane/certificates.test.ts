import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CertificateStateException,
  CertificateValidationException,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteConflictException,
  DescribeCertificateCommand,
  DetachThingPrincipalCommand,
  InvalidRequestException,
  ListCertificatesCommand,
  RegisterCertificateWithoutCACommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateIdOf, createCsrPem, generateKeyPairPem } from '../../../src/pki/index.js';
import { createTestCa } from '../../support/byo-ca.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

let test: TestEmulator;
const policyDocument = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
});

beforeAll(async () => {
  test = await startTestEmulator({ listeners: [] });
  await test.iot.send(new CreatePolicyCommand({ policyName: 'cert-tests', policyDocument }));
});

afterAll(async () => {
  await test?.close();
});

describe('CreateKeysAndCertificate', () => {
  it('returns an RSA-2048 key pair in AWS PEM forms and an ACTIVE cert whose ID is sha256(DER)', async () => {
    const created = await test.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    expect(created.keyPair?.PrivateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(created.keyPair?.PublicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const x509 = new X509Certificate(created.certificatePem!);
    expect(x509.checkPrivateKey(createPrivateKey(created.keyPair!.PrivateKey!))).toBe(true);
    expect(created.certificateId).toBe(certificateIdOf(created.certificatePem!));
    expect(created.certificateArn).toBe(`arn:aws:iot:us-east-1:123456789012:cert/${created.certificateId}`);
    const { certificateDescription: description } = await test.iot.send(
      new DescribeCertificateCommand({ certificateId: created.certificateId }),
    );
    expect(description?.status).toBe('ACTIVE');
    expect(description?.ownedBy).toBe('123456789012');
    expect(description?.certificateMode).toBe('DEFAULT');
    expect(description?.customerVersion).toBe(1);
    expect(description?.validity?.notAfter?.toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(description?.creationDate).toBeInstanceOf(Date);
    expect(Math.abs(description!.creationDate!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('leaves the certificate INACTIVE without setAsActive', async () => {
    const created = await test.iot.send(new CreateKeysAndCertificateCommand({}));
    const { certificateDescription } = await test.iot.send(
      new DescribeCertificateCommand({ certificateId: created.certificateId }),
    );
    expect(certificateDescription?.status).toBe('INACTIVE');
  });
});

describe('CreateCertificateFromCsr', () => {
  it('issues a distinct certificate for the CSR key each time', async () => {
    const keys = await generateKeyPairPem('ec-p256');
    const csr = await createCsrPem(keys, 'CN=csr-device');
    const first = await test.iot.send(
      new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr, setAsActive: true }),
    );
    const second = await test.iot.send(
      new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr }),
    );
    expect(first.certificateId).not.toBe(second.certificateId);
    expect(
      new X509Certificate(first.certificatePem!).checkPrivateKey(createPrivateKey(keys.privateKeyPem)),
    ).toBe(true);
  });

  it('answers InvalidRequestException for a CSR that is not one', async () => {
    await expect(
      test.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: 'garbage' })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
  });
});

describe('UpdateCertificate and DeleteCertificate', () => {
  it('refuses the internal PENDING_* statuses', async () => {
    const { certificateId } = await test.iot.send(new CreateKeysAndCertificateCommand({}));
    for (const newStatus of ['PENDING_ACTIVATION', 'PENDING_TRANSFER'] as const) {
      await expect(
        test.iot.send(new UpdateCertificateCommand({ certificateId, newStatus })),
      ).rejects.toBeInstanceOf(InvalidRequestException);
    }
  });

  it('refuses to delete an ACTIVE (406) or attached (409) certificate, and forceDelete ignores policies only', async () => {
    const { certificateId, certificateArn } = await test.iot.send(
      new CreateKeysAndCertificateCommand({ setAsActive: true }),
    );
    const deleteIt = (forceDelete?: boolean) =>
      test.iot.send(new DeleteCertificateCommand({ certificateId, forceDelete }));
    const active = await deleteIt().catch((error: unknown) => error);
    expect(active).toBeInstanceOf(CertificateStateException);
    expect((active as CertificateStateException).$metadata.httpStatusCode).toBe(406);

    await test.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }));
    await test.iot.send(new CreateThingCommand({ thingName: 'cert-holder' }));
    await test.iot.send(
      new AttachThingPrincipalCommand({ thingName: 'cert-holder', principal: certificateArn }),
    );
    await test.iot.send(new AttachPolicyCommand({ policyName: 'cert-tests', target: certificateArn }));
    const attached = await deleteIt(true).catch((error: unknown) => error);
    expect(attached).toBeInstanceOf(DeleteConflictException);
    expect((attached as DeleteConflictException).$metadata.httpStatusCode).toBe(409);

    await test.iot.send(
      new DetachThingPrincipalCommand({ thingName: 'cert-holder', principal: certificateArn }),
    );
    await expect(deleteIt()).rejects.toBeInstanceOf(DeleteConflictException);
    await deleteIt(true);
    await expect(test.iot.send(new DescribeCertificateCommand({ certificateId }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('reports a status change to registry listeners (the data plane disconnects on it)', async () => {
    const { certificateId } = await test.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const seen: string[] = [];
    const stop = test.emulator.registry.events.on('certificateStatusChanged', (event) => {
      if (event.certificateId === certificateId) seen.push(`${event.previousStatus}->${event.status}`);
    });
    const deleted: string[] = [];
    const stopDeleted = test.emulator.registry.events.on('certificateDeleted', (event) =>
      deleted.push(event.certificateId),
    );
    await test.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'REVOKED' }));
    await test.iot.send(new DeleteCertificateCommand({ certificateId }));
    stop();
    stopDeleted();
    expect(seen).toEqual(['ACTIVE->REVOKED']);
    expect(deleted).toEqual([certificateId]);
  });

  it('answers ResourceNotFound for an unknown ID and InvalidRequest for a malformed one', async () => {
    await expect(
      test.iot.send(new DescribeCertificateCommand({ certificateId: 'a'.repeat(64) })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      test.iot.send(new DescribeCertificateCommand({ certificateId: 'xyz' })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
  });
});

describe('RegisterCertificateWithoutCA', () => {
  it('registers an unknown-CA certificate as SNI_ONLY and refuses duplicates and bad PEMs', async () => {
    const ca = await createTestCa('CN=Unregistered CA');
    const { certificate } = await ca.deviceCertificate('no-ca-device');
    const registered = await test.iot.send(
      new RegisterCertificateWithoutCACommand({ certificatePem: certificate.pem, status: 'ACTIVE' }),
    );
    expect(registered.certificateId).toBe(certificate.certificateId);
    const { certificateDescription } = await test.iot.send(
      new DescribeCertificateCommand({ certificateId: registered.certificateId }),
    );
    expect(certificateDescription?.certificateMode).toBe('SNI_ONLY');
    expect(certificateDescription?.status).toBe('ACTIVE');
    expect(certificateDescription?.caCertificateId).toBeUndefined();

    const duplicate = await test.iot
      .send(new RegisterCertificateWithoutCACommand({ certificatePem: certificate.pem }))
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(ResourceAlreadyExistsException);
    expect((duplicate as ResourceAlreadyExistsException).resourceId).toBe(certificate.certificateId);
    await expect(
      test.iot.send(
        new RegisterCertificateWithoutCACommand({
          certificatePem: '-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----',
        }),
      ),
    ).rejects.toBeInstanceOf(CertificateValidationException);
  });
});

describe('ListCertificates', () => {
  it('pages with pageSize/marker in both orders without repeats', async () => {
    const collect = async (ascendingOrder: boolean) => {
      const ids: string[] = [];
      let marker: string | undefined;
      do {
        const page = await test.iot.send(
          new ListCertificatesCommand({ pageSize: 2, marker, ascendingOrder }),
        );
        expect(page.certificates!.length).toBeLessThanOrEqual(2);
        ids.push(...page.certificates!.map((certificate) => certificate.certificateId!));
        marker = page.nextMarker;
      } while (marker);
      return ids;
    };
    const ascending = await collect(true);
    const descending = await collect(false);
    expect(ascending.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ascending).size).toBe(ascending.length);
    expect(descending).toEqual([...ascending].reverse());
  });
});
