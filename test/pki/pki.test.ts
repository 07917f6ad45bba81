import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AWS_DEVICE_NOT_AFTER,
  CertificateParseError,
  CsrRejectedError,
  certificateIdOf,
  createCsrPem,
  EmulatorPki,
  generateKeyPairPem,
  generateKeyPairPemSync,
  isSignedBy,
  KeyPool,
  parseCertificatePem,
  parseCsrPem,
} from '../../src/pki/index.js';
import { createTestCa } from '../support/byo-ca.js';
import { describeWithTool } from '../support/tools.js';

let stateDir: string;
let pki: EmulatorPki;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'provbench-pki-test-'));
  pki = await EmulatorPki.open({ stateDir, keyPoolSize: 2 });
});

afterAll(async () => {
  await pki?.close();
  await rm(stateDir, { recursive: true, force: true });
});

describe('EmulatorPki', () => {
  it('issues AWS-style RSA-2048 device certificates chained to its issuing CA', async () => {
    const { certificate, keyPair } = await pki.createKeysAndCertificate();
    expect(certificate.subject).toEqual({ CN: 'AWS IoT Certificate' });
    expect(certificate.issuer).toMatchObject({ OU: 'Amazon Web Services', O: 'Amazon.com Inc.', C: 'US' });
    expect(certificate.notAfter.toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(certificate.certificateId).toBe(createHash('sha256').update(certificate.der).digest('hex'));
    expect(keyPair.privateKeyPem).toMatch(
      /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+-----END RSA PRIVATE KEY-----\n$/,
    );
    expect(keyPair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const node = new X509Certificate(certificate.pem);
    expect(node.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(node.checkPrivateKey(createPrivateKey(keyPair.privateKeyPem))).toBe(true);
    expect(node.verify(pki.issuing.certificate.x509.publicKey)).toBe(true);
    expect(isSignedBy(certificate, pki.issuing.certificate)).toBe(true);
    expect(isSignedBy(pki.issuing.certificate, pki.root.certificate)).toBe(true);
    expect(isSignedBy(certificate, pki.root.certificate)).toBe(false);
  });

  it('gives each certificate its own serial and ID', async () => {
    const keys = generateKeyPairPemSync('ec-p256');
    const a = pki.issueDeviceCertificate(keys.publicKeyPem);
    const b = pki.issueDeviceCertificate(keys.publicKeyPem);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.certificateId).not.toBe(b.certificateId);
    // The lazily parsed view agrees with the fields the fast path filled in.
    const parsed = parseCertificatePem(a.pem);
    expect(parsed.certificateId).toBe(a.certificateId);
    expect(parsed.subjectName).toBe(a.subjectName);
    expect(parsed.issuerName).toBe(a.issuerName);
    expect(parsed.serialNumber).toBe(a.serialNumber);
    expect(parsed.notAfter.getTime()).toBe(AWS_DEVICE_NOT_AFTER.getTime());
  });

  it('signs a CSR for the key inside it and rejects bad or weak CSRs', async () => {
    const keys = await generateKeyPairPem('ec-p256');
    const csr = await createCsrPem(keys, 'CN=device-7, O=Example');
    const parsedCsr = await parseCsrPem(csr);
    expect(parsedCsr.subject).toEqual({ CN: 'device-7', O: 'Example' });
    const certificate = await pki.signCsr(csr);
    const node = new X509Certificate(certificate.pem);
    expect(node.checkPrivateKey(createPrivateKey(keys.privateKeyPem))).toBe(true);
    expect(certificate.subject).toEqual({ CN: 'AWS IoT Certificate' });

    await expect(pki.signCsr('not a csr')).rejects.toBeInstanceOf(CsrRejectedError);
    await expect(pki.signCsr(tamperCsr(csr, 'device-7', 'device-8'))).rejects.toBeInstanceOf(
      CsrRejectedError,
    );
    const weak = generateKeyPairSyncRsa1024();
    await expect(pki.signCsr(await createCsrPem(weak, 'CN=weak'))).rejects.toThrow(/at least 2048/);
  });

  it('issues TLS server certificates for host names and IP addresses', async () => {
    const server = await pki.issueServerCertificate([
      'localhost',
      '127.0.0.1',
      'abc-ats.iot.us-east-1.amazonaws.com',
    ]);
    const node = new X509Certificate(server.certificatePem);
    expect(node.checkHost('localhost')).toBe('localhost');
    expect(node.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(node.checkHost('abc-ats.iot.us-east-1.amazonaws.com')).toBeTruthy();
    expect(node.checkHost('example.com')).toBeUndefined();
    expect(server.chainPem.startsWith(server.certificatePem)).toBe(true);
  });

  it('keeps its CA in the state dir: same CA on reopen, private keys mode 0600', async () => {
    const again = await EmulatorPki.open({ stateDir, keyPoolSize: 0 });
    try {
      expect(again.root.certificate.certificateId).toBe(pki.root.certificate.certificateId);
      expect(again.issuing.certificate.certificateId).toBe(pki.issuing.certificate.certificateId);
      expect(again.bundlePem).toBe(pki.bundlePem);
    } finally {
      await again.close();
    }
    for (const key of ['root-ca.key', 'issuing-ca.key']) {
      expect((await stat(join(stateDir, 'pki', key))).mode & 0o777).toBe(0o600);
    }
    expect(await readFile(pki.bundleFile, 'utf8')).toBe(pki.bundlePem);
  });
});

/** The CSR with `from` replaced by `to` inside its DER (same length), so its signature no longer matches. */
function tamperCsr(csr: string, from: string, to: string): string {
  const der = Buffer.from(csr.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const at = der.indexOf(Buffer.from(from));
  der.write(to, at);
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}

function generateKeyPairSyncRsa1024() {
  const pair = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return {
    algorithm: 'rsa-2048' as const,
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

describe('certificate helpers', () => {
  it('computes certificateId from the DER whatever the PEM line layout', () => {
    const certificate = pki.issueDeviceCertificate(generateKeyPairPemSync('ec-p256').publicKeyPem);
    const reflowed = certificate.pem.replace(/\n(?!-----)/g, '\r\n');
    expect(certificateIdOf(reflowed)).toBe(certificate.certificateId);
    expect(parseCertificatePem(`junk before\n${certificate.pem}`).certificateId).toBe(
      certificate.certificateId,
    );
  });

  it('rejects text that is not a certificate with a message saying so', () => {
    expect(() => parseCertificatePem('hello')).toThrow(CertificateParseError);
    expect(() =>
      parseCertificatePem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    ).toThrow(/could not be decoded/);
  });

  it('tells a certificate signed by a CA from one that only names it as issuer', async () => {
    const ca = await createTestCa('CN=Same Name CA');
    const impostor = await createTestCa('CN=Same Name CA');
    const { certificate } = await ca.deviceCertificate('d1');
    expect(isSignedBy(certificate, ca.signer.certificate)).toBe(true);
    expect(certificate.issuerName).toBe(impostor.signer.certificate.subjectName);
    expect(isSignedBy(certificate, impostor.signer.certificate)).toBe(false);
  });
});

describe('KeyPool', () => {
  it('hands out distinct key pairs of the requested type from its worker', async () => {
    const pool = new KeyPool({ algorithm: 'ec-p256', size: 3, workers: 2 });
    try {
      await pool.warm();
      expect(pool.available).toBeGreaterThanOrEqual(3);
      const keys = await Promise.all(Array.from({ length: 6 }, () => pool.take()));
      expect(new Set(keys.map((key) => key.publicKeyPem)).size).toBe(6);
      for (const key of keys) {
        expect(key.privateKeyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
        expect(createPrivateKey(key.privateKeyPem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      }
    } finally {
      await pool.close();
    }
    await expect(pool.take()).rejects.toThrow(/closed/);
  });
});

describeWithTool('openssl', 'openssl verify against the emulator bundle', () => {
  it('verifies device, CSR-signed and server certificates and rejects a foreign one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provbench-openssl-'));
    try {
      const device = (await pki.createKeysAndCertificate()).certificate;
      const fromCsr = await pki.signCsr(await createCsrPem(await generateKeyPairPem('ec-p256'), 'CN=x'));
      const server = await pki.issueServerCertificate(['localhost']);
      const foreign = (await (await createTestCa()).deviceCertificate('stranger')).certificate;
      const files = {
        device: device.pem,
        csr: fromCsr.pem,
        server: server.certificatePem,
        foreign: foreign.pem,
      };
      for (const [name, pem] of Object.entries(files)) await writeFile(join(dir, `${name}.pem`), pem);
      const verify = (name: string) =>
        execFileSync('openssl', ['verify', '-CAfile', pki.bundleFile, join(dir, `${name}.pem`)], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      expect(verify('device')).toContain(': OK');
      expect(verify('csr')).toContain(': OK');
      expect(verify('server')).toContain(': OK');
      expect(() => verify('foreign')).toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
