import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoredCertificateRecord } from '../../../src/emulator/registry/certificate-record.js';
import { IotRegistry } from '../../../src/emulator/registry/index.js';
import { EmulatorPki, type ParsedCertificate } from '../../../src/pki/index.js';

let pki: EmulatorPki;
let issued: ParsedCertificate;

beforeAll(async () => {
  pki = await EmulatorPki.open({ keyPoolSize: 0, deviceKeyAlgorithm: 'ec-p256' });
  issued = (await pki.createKeysAndCertificate()).certificate;
});

afterAll(async () => {
  await pki?.close();
});

const fields = {
  certificateId: 'id',
  certificateArn: 'arn:aws:iot:us-east-1:123456789012:cert/id',
  status: 'ACTIVE',
  certificateMode: 'DEFAULT',
  origin: 'registered',
  creationDate: 1,
  lastModifiedDate: 1,
  customerVersion: 1,
  generationId: 'g',
  validity: { notBefore: 0, notAfter: 1 },
  sequence: 1,
} as const;

describe('stored certificate records', () => {
  it('give back the issued PEM character for character, and in JSON', () => {
    const registry = new IotRegistry({ region: 'us-east-1', accountId: '123456789012' });
    const record = registry.addCertificate({
      certificate: issued,
      status: 'ACTIVE',
      origin: 'keys-and-certificate',
    });
    expect(record.certificatePem).toBe(issued.pem);
    expect(registry.describeCertificate(issued.certificateId).certificatePem).toBe(issued.pem);
    const saved = JSON.parse(JSON.stringify(registry.toSnapshot())) as ReturnType<IotRegistry['toSnapshot']>;
    expect(saved.certificates[0]).toMatchObject({ certificatePem: issued.pem, status: 'ACTIVE' });
    const restored = new IotRegistry({ region: 'us-east-1', accountId: '123456789012' });
    restored.loadSnapshot(saved);
    expect(restored.describeCertificate(issued.certificateId).certificatePem).toBe(issued.pem);
  });

  it('keep PEMs in any other layout exactly as given', () => {
    const body = issued.pem.split('\n').slice(1, -2).join('');
    const layouts = [
      issued.pem.replace(/\n/g, '\r\n'),
      `-----BEGIN CERTIFICATE-----\n${body.replace(/.{76}/g, '$&\n')}\n-----END CERTIFICATE-----\n`,
      issued.pem.trimEnd(),
      `${issued.pem}\n`,
    ];
    for (const pem of layouts) {
      expect(new StoredCertificateRecord(fields, pem).certificatePem).toBe(pem);
    }
  });

  it('serialise every field with the PEM', () => {
    const record = new StoredCertificateRecord(fields, issued.pem);
    record.status = 'INACTIVE';
    record.expiresAt = 5;
    expect(JSON.parse(JSON.stringify(record))).toEqual({
      ...fields,
      status: 'INACTIVE',
      expiresAt: 5,
      certificatePem: issued.pem,
    });
  });
});
