import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedCertificate } from './certificate.js';
import { parseCsrPem } from './csr.js';
import { LeafCertificateFactory } from './fast-issue.js';
import { createCertificateAuthority, issueCertificate, type SignerIdentity, signerFrom } from './issue.js';
import { KeyPool } from './key-pool.js';
import { KeyStock } from './key-stock.js';
import { generateKeyPairPem, type KeyAlgorithm, type KeyPairPem } from './keys.js';

/** Subject of the emulator's root CA. */
export const EMULATOR_ROOT_SUBJECT = 'O=provbench, CN=provbench emulator root CA';
/** Issuer name of AWS IoT device certificates (order as AWS encodes it: C, ST, L, O, OU). */
export const AWS_DEVICE_ISSUER_SUBJECT =
  'C=US, ST=Washington, L=Seattle, O=Amazon.com Inc., OU=Amazon Web Services';
/** Subject AWS IoT gives the certificates it issues. */
export const AWS_DEVICE_SUBJECT = 'CN=AWS IoT Certificate';
/** AWS IoT-issued certificates expire at midnight UTC on 31 December 2049. */
export const AWS_DEVICE_NOT_AFTER = new Date(Date.UTC(2049, 11, 31, 23, 59, 59));

export interface EmulatorPkiOptions {
  /** Where the CA keys live (`<stateDir>/pki`); absent: a fresh CA in memory for this process. */
  stateDir?: string;
  /** Key type CreateKeysAndCertificate returns: AWS's rsa-2048 (default) or ec-p256 for speed runs. */
  deviceKeyAlgorithm?: KeyAlgorithm;
  /** Pre-generated device key pairs kept ready by a worker thread (default 32; 0 disables). */
  keyPoolSize?: number;
  /** Worker threads filling the key pool (default 1). */
  keyPoolWorkers?: number;
  /** Key stock directory (`provbench keys fill`) taken from before keys are generated; absent: none. */
  keyStockDir?: string;
  /** Top the key stock up to this many keys while no keys are asked for (default 0: never). */
  keyStockTarget?: number;
}

export interface IssuedKeysAndCertificate {
  certificate: ParsedCertificate;
  keyPair: KeyPairPem;
}

export interface ServerCredentials {
  certificatePem: string;
  privateKeyPem: string;
  /** Server certificate followed by the issuing CA: what a TLS server should send. */
  chainPem: string;
}

export class CsrRejectedError extends Error {
  override readonly name = 'CsrRejectedError';
}

const FILES = {
  rootCert: 'root-ca.pem',
  rootKey: 'root-ca.key',
  issuingCert: 'issuing-ca.pem',
  issuingKey: 'issuing-ca.key',
  bundle: 'ca-bundle.pem',
} as const;

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The emulator's certificate authorities: a root CA and an issuing CA named like AWS's
 * device-certificate issuer, created once per state dir. Issues AWS-style device certificates,
 * signs CSRs and issues TLS server certificates; `bundlePem` (issuing + root) is what clients trust.
 */
export class EmulatorPki {
  readonly root: SignerIdentity;
  readonly issuing: SignerIdentity;
  /** Issuing CA then root CA, PEM. */
  readonly bundlePem: string;
  /** A file holding bundlePem. */
  readonly bundleFile: string;
  readonly keyPool: KeyPool;
  private readonly deviceCertificates: LeafCertificateFactory;
  private readonly temporaryDir: string | undefined;

  private constructor(parts: {
    root: SignerIdentity;
    issuing: SignerIdentity;
    bundleFile: string;
    keyPool: KeyPool;
    temporaryDir?: string;
  }) {
    this.root = parts.root;
    this.issuing = parts.issuing;
    this.bundlePem = `${parts.issuing.certificate.pem}${parts.root.certificate.pem}`;
    this.bundleFile = parts.bundleFile;
    this.keyPool = parts.keyPool;
    this.temporaryDir = parts.temporaryDir;
    this.deviceCertificates = new LeafCertificateFactory(parts.issuing, parts.issuing.signingKey.keyObject);
  }

  /** Loads the CAs from `<stateDir>/pki`, creating them on first use. */
  static async open(options: EmulatorPkiOptions = {}): Promise<EmulatorPki> {
    const temporaryDir = options.stateDir ? undefined : await mkdtemp(join(tmpdir(), 'provbench-pki-'));
    const pkiDir = options.stateDir ? join(options.stateDir, 'pki') : temporaryDir!;
    await mkdir(pkiDir, { recursive: true, mode: 0o700 });
    const path = (name: string) => join(pkiDir, name);
    const stored = await Promise.all([
      readIfExists(path(FILES.rootCert)),
      readIfExists(path(FILES.rootKey)),
      readIfExists(path(FILES.issuingCert)),
      readIfExists(path(FILES.issuingKey)),
    ]);
    let root: SignerIdentity;
    let issuing: SignerIdentity;
    const [rootCertPem, rootKeyPem, issuingCertPem, issuingKeyPem] = stored;
    if (rootCertPem && rootKeyPem && issuingCertPem && issuingKeyPem) {
      root = await signerFrom({ certificatePem: rootCertPem, privateKeyPem: rootKeyPem });
      issuing = await signerFrom({ certificatePem: issuingCertPem, privateKeyPem: issuingKeyPem });
    } else {
      const [rootKeys, issuingKeys] = await Promise.all([
        generateKeyPairPem('rsa-2048'),
        generateKeyPairPem('rsa-2048'),
      ]);
      const rootMaterial = await createCertificateAuthority({
        subject: EMULATOR_ROOT_SUBJECT,
        keyPair: rootKeys,
      });
      root = await signerFrom({
        certificatePem: rootMaterial.certificate.pem,
        privateKeyPem: rootKeys.privateKeyPem,
      });
      const issuingMaterial = await createCertificateAuthority({
        subject: AWS_DEVICE_ISSUER_SUBJECT,
        keyPair: issuingKeys,
        issuer: root,
        pathLength: 0,
      });
      issuing = await signerFrom({
        certificatePem: issuingMaterial.certificate.pem,
        privateKeyPem: issuingKeys.privateKeyPem,
      });
      await writeFile(path(FILES.rootKey), rootKeys.privateKeyPem, { mode: 0o600 });
      await writeFile(path(FILES.issuingKey), issuingKeys.privateKeyPem, { mode: 0o600 });
      await writeFile(path(FILES.rootCert), root.certificate.pem);
      await writeFile(path(FILES.issuingCert), issuing.certificate.pem);
    }
    const algorithm = options.deviceKeyAlgorithm ?? 'rsa-2048';
    const keyPool = new KeyPool({
      algorithm,
      size: options.keyPoolSize ?? 32,
      workers: options.keyPoolWorkers,
      stock: options.keyStockDir === undefined ? undefined : new KeyStock(options.keyStockDir, algorithm),
      stockTarget: options.keyStockTarget,
    });
    const pki = new EmulatorPki({ root, issuing, bundleFile: path(FILES.bundle), keyPool, temporaryDir });
    await writeFile(pki.bundleFile, pki.bundlePem);
    return pki;
  }

  /** CreateKeysAndCertificate: a pooled key pair and an AWS-style certificate for it. */
  async createKeysAndCertificate(): Promise<IssuedKeysAndCertificate> {
    const keyPair = await this.keyPool.take();
    const certificate = await this.issueDeviceCertificate(keyPair.publicKeyPem);
    return { certificate, keyPair };
  }

  /** An AWS-style device certificate (CN=AWS IoT Certificate, notAfter 2049-12-31) for a public key. */
  issueDeviceCertificate(publicKey: Buffer | string): ParsedCertificate {
    return this.deviceCertificates.issue({
      subject: AWS_DEVICE_SUBJECT,
      publicKey,
      notAfter: AWS_DEVICE_NOT_AFTER,
    });
  }

  /**
   * CreateCertificateFromCsr: checks the CSR (signature; RSA >= 2048 bits or EC P-256/384/521,
   * as AWS accepts) and issues a device certificate for its key. Throws CsrRejectedError.
   */
  async signCsr(csrPem: string): Promise<ParsedCertificate> {
    let csr: Awaited<ReturnType<typeof parseCsrPem>>;
    try {
      csr = await parseCsrPem(csrPem);
    } catch (error) {
      throw new CsrRejectedError((error as Error).message);
    }
    if (csr.keyType === 'rsa' && typeof csr.keySize === 'number' && csr.keySize < 2048) {
      throw new CsrRejectedError(
        `CSR key is RSA-${csr.keySize}: AWS IoT needs RSA of at least 2048 bits or EC`,
      );
    }
    if (csr.keyType === 'ec' && !['prime256v1', 'secp384r1', 'secp521r1'].includes(String(csr.keySize))) {
      throw new CsrRejectedError(`CSR key uses curve ${csr.keySize}: use P-256, P-384 or P-521`);
    }
    return this.issueDeviceCertificate(csr.publicKeyDer);
  }

  /** A TLS server certificate for host names and IP addresses (data plane, Krypton service). */
  async issueServerCertificate(
    hosts: string[],
    algorithm: KeyAlgorithm = 'ec-p256',
  ): Promise<ServerCredentials> {
    const keyPair = await generateKeyPairPem(algorithm);
    const certificate = await issueCertificate({
      subject: `CN=${hosts[0] ?? 'localhost'}`,
      publicKey: keyPair.publicKeyPem,
      issuer: this.issuing,
      notAfter: new Date(Date.now() + 825 * 24 * 3600 * 1000),
      serverNames: hosts,
    });
    return {
      certificatePem: certificate.pem,
      privateKeyPem: keyPair.privateKeyPem,
      chainPem: `${certificate.pem}${this.issuing.certificate.pem}`,
    };
  }

  async close(): Promise<void> {
    await this.keyPool.close();
    if (this.temporaryDir) await rm(this.temporaryDir, { recursive: true, force: true });
  }
}
