import { randomBytes, type webcrypto } from 'node:crypto';
import { parseCertificatePem } from '../../src/pki/certificate.js';
import { LeafCertificateFactory } from '../../src/pki/fast-issue.js';
import { importSigningKey } from '../../src/pki/keys.js';
import {
  type DeviceKey,
  type DeviceKeyPair,
  type DeviceKeyType,
  dnValue,
  generateDeviceKey,
  generateDeviceKeyPair,
  keyAlgorithm,
  signingAlgorithm,
} from './device-keys.js';
import { verifyCsr } from './fast-csr.js';
import { subtle, x509 } from './x509.js';

export interface IssuedDeviceCertificate {
  certificatePem: string;
  key: DeviceKey;
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
  private leafFactory: Promise<LeafCertificateFactory> | undefined;

  private constructor(
    private readonly key: DeviceKeyPair,
    private readonly certificate: x509.X509Certificate,
  ) {}

  /** Device certificates come from a pre-encoded template (src/pki/fast-issue): ~10x faster. */
  private factory(): Promise<LeafCertificateFactory> {
    this.leafFactory ??= importSigningKey(this.key.privateKeyPem).then(
      (signingKey) =>
        new LeafCertificateFactory(
          { certificate: parseCertificatePem(this.certificatePem), signingKey },
          signingKey.keyObject,
        ),
    );
    return this.leafFactory;
  }

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

  /**
   * Signs a client certificate for `publicKey` with the given subject (e.g. `CN=dev-1`):
   * digitalSignature/keyEncipherment, clientAuth, key identifiers. With `altNames` (a server
   * certificate) it goes through @peculiar/x509 instead.
   */
  async sign(
    publicKey: webcrypto.CryptoKey | x509.PublicKey | Buffer,
    subject: string,
    options: SignOptions = {},
  ): Promise<string> {
    const now = Date.now();
    const validDays = options.validDays ?? 365;
    if (!options.altNames) {
      const spki = Buffer.isBuffer(publicKey)
        ? publicKey
        : publicKey instanceof x509.PublicKey
          ? Buffer.from(publicKey.rawData)
          : Buffer.from(await subtle.exportKey('spki', publicKey));
      const factory = await this.factory();
      return factory.issue({
        subject,
        publicKey: spki,
        notBefore: new Date(now - DAY_MS),
        notAfter: new Date(now + validDays * DAY_MS),
      }).pem;
    }
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject,
      issuer: this.certificate.subject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + validDays * DAY_MS),
      publicKey: Buffer.isBuffer(publicKey) ? new x509.PublicKey(new Uint8Array(publicKey)) : publicKey,
      signingKey: this.key.keys.privateKey,
      signingAlgorithm: signingAlgorithm(this.key.type),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.AuthorityKeyIdentifierExtension.create(this.key.keys.publicKey),
        new x509.SubjectAlternativeNameExtension(options.altNames),
      ],
    });
    return cert.toString('pem');
  }

  /** Signs a PKCS#10 request after checking its self-signature; the subject comes from the CSR. */
  async signCsr(csrPem: string, options: SignOptions = {}): Promise<string> {
    const csr = verifyCsr(csrPem);
    if (!csr) throw new Error('the CSR signature does not verify: regenerate the CSR with the device key');
    return this.sign(csr.spkiDer, csr.subject, options);
  }

  /** Generates a device key of `keyType` and a certificate for it (the factory step). */
  async issueDevice(subject: string, keyType: DeviceKeyType = 'ec'): Promise<IssuedDeviceCertificate> {
    const key = await generateDeviceKey(keyType);
    return { key, certificatePem: await this.sign(key.spkiDer, subject) };
  }

  /**
   * The certificate that proves possession of this CA's key to RegisterCACertificate:
   * a fresh key, Common Name = the account's registration code, signed by this CA.
   */
  async verificationCertificate(registrationCode: string): Promise<string> {
    const key = await generateDeviceKey('ec');
    return this.sign(key.spkiDer, `CN=${dnValue(registrationCode)}`);
  }
}
