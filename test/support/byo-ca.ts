import {
  createCertificateAuthority,
  generateKeyPairPem,
  issueCertificate,
  type KeyPairPem,
  type ParsedCertificate,
  type SignerIdentity,
  signerFrom,
} from '../../src/pki/index.js';

/** A customer's own CA for BYO-CA tests (EC P-256, so it is quick to make). */
export interface TestCa {
  signer: SignerIdentity;
  certificatePem: string;
  keyPair: KeyPairPem;
  /** A certificate with CN=<code> signed by this CA: RegisterCACertificate's verification cert. */
  verificationCertificate(registrationCode: string): Promise<string>;
  /** A device certificate signed by this CA. */
  deviceCertificate(commonName: string): Promise<{ certificate: ParsedCertificate; keyPair: KeyPairPem }>;
}

export async function createTestCa(subject = 'O=provbench tests, CN=Test Device CA'): Promise<TestCa> {
  const material = await createCertificateAuthority({ subject, algorithm: 'ec-p256' });
  const signer = await signerFrom({
    certificatePem: material.certificate.pem,
    privateKeyPem: material.keyPair.privateKeyPem,
  });
  const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  return {
    signer,
    certificatePem: material.certificate.pem,
    keyPair: material.keyPair,
    async verificationCertificate(registrationCode) {
      const keys = await generateKeyPairPem('ec-p256');
      const certificate = await issueCertificate({
        subject: `CN=${registrationCode}`,
        publicKey: keys.publicKeyPem,
        issuer: signer,
        notAfter,
      });
      return certificate.pem;
    },
    async deviceCertificate(commonName) {
      const keyPair = await generateKeyPairPem('ec-p256');
      const certificate = await issueCertificate({
        subject: `O=provbench tests, CN=${commonName}`,
        publicKey: keyPair.publicKeyPem,
        issuer: signer,
        notAfter,
        clientAuth: true,
      });
      return { certificate, keyPair };
    },
  };
}
