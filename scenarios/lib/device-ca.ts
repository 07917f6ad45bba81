import { randomBytes, type webcrypto } from 'node:crypto';
import {
  type DeviceKeyPair,
  type DeviceKeyType,
  dnValue,
  generateDeviceKeyPair,
  keyAlgorithm,
  signingAlgorithm,
} from './device-keys.js';
import { subtle, x509 } from './x509.js';

export interface IssuedDeviceCertificate {
  certificatePem: string;
  key: DeviceKeyPair;
}

export interface SignOptions {
  validDays?: number;
  /** subjectAltName entries, e.g. [{ type: 'ip', value: '127.0.0.1' }] for a server. */
  altNames?: x509.JsonGeneralNames;
}

const DAY_MS = 86_400_000;

function serialNumber(): string {
  // Positive 16-byte serial: clear the top bit.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/**
 * A customer-operated certificate authority for byo-ca, jitr and jitp: a self-signed root
 * that signs device certificates and the verification certificate RegisterCACertificate needs.
 */
export class DeviceCa {
  private constructor(
    private readonly key: DeviceKeyPair,
    private readonly certificate: x509.X509Certificate,
  ) {}

  static async create(options: {
    commonName: string;
    keyType?: DeviceKeyType;
    validDays?: number;
  }): Promise<DeviceCa> {
    const key = await generateDeviceKeyPair(options.keyType ?? 'ec');
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialNumber(),
      name: `CN=${dnValue(options.commonName)}, O=provbench`,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + (options.validDays ?? 365) * DAY_MS),
      keys: key.keys,
      signingAlgorithm: signingAlgorithm(key.type),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(key.keys.publicKey),
      ],
    });
    return new DeviceCa(key, certificate);
  }

  /** Rebuilds a CA from its certificate and PKCS#8 key, e.g. in a worker from `ctx.shared`. */
  static async fromPem(certificatePem: string, privateKeyPem: string): Promise<DeviceCa> {
    const certificate = new x509.X509Certificate(certificatePem);
    const type: DeviceKeyType = certificate.publicKey.algorithm.name === 'ECDSA' ? 'ec' : 'rsa';
    const der = x509.PemConverter.decodeFirst(privateKeyPem);
    const privateKey = await subtle.importKey('pkcs8', der, keyAlgorithm(type), true, ['sign']);
    const publicKey = await certificate.publicKey.export(keyAlgorithm(type), ['verify']);
    return new DeviceCa({ type, keys: { privateKey, publicKey }, privateKeyPem }, certificate);
  }

  get certificatePem(): string {
    return this.certificate.toString('pem');
  }

  get subject(): string {
    return this.certificate.subject;
  }

  /** The CA's private key in PEM; write it with mode 0600 if it must be stored. */
  get privateKeyPem(): string {
    return this.key.privateKeyPem;
  }

  /** Signs a certificate for `publicKey` with the given subject (e.g. `CN=dev-1`). */
  async sign(
    publicKey: webcrypto.CryptoKey | x509.PublicKey,
    subject: string,
    options: SignOptions = {},
  ): Promise<string> {
    const now = Date.now();
    const validDays = options.validDays ?? 365;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject,
      issuer: this.certificate.subject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + validDays * DAY_MS),
      publicKey,
      signingKey: this.key.keys.privateKey,
      signingAlgorithm: signingAlgorithm(this.key.type),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.AuthorityKeyIdentifierExtension.create(this.key.keys.publicKey),
        ...(options.altNames ? [new x509.SubjectAlternativeNameExtension(options.altNames)] : []),
      ],
    });
    return cert.toString('pem');
  }

  /** Signs a PKCS#10 request after checking its self-signature; the subject comes from the CSR. */
  async signCsr(csrPem: string, options: SignOptions = {}): Promise<string> {
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    if (!(await csr.verify())) {
      throw new Error('the CSR signature does not verify: regenerate the CSR with the device key');
    }
    return this.sign(csr.publicKey, csr.subject, options);
  }

  /** Generates a device key of `keyType` and a certificate for it (the factory step). */
  async issueDevice(subject: string, keyType: DeviceKeyType = 'ec'): Promise<IssuedDeviceCertificate> {
    const key = await generateDeviceKeyPair(keyType);
    return { key, certificatePem: await this.sign(key.keys.publicKey, subject) };
  }

  /**
   * The certificate that proves possession of this CA's key to RegisterCACertificate:
   * a fresh key, Common Name = the account's registration code, signed by this CA.
   */
  async verificationCertificate(registrationCode: string): Promise<string> {
    const key = await generateDeviceKeyPair('ec');
    return this.sign(key.keys.publicKey, `CN=${dnValue(registrationCode)}`);
  }
}
