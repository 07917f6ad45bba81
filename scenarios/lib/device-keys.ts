import { generateKeyPair, generateKeyPairSync, type KeyObject, type webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import { encodeCsr } from './fast-csr.js';
import { spkiOf } from './spki.js';
import { subtle, x509 } from './x509.js';

const generateKeyPairAsync = promisify(generateKeyPair);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** EC P-256 is the fast choice; RSA-2048 is what CreateKeysAndCertificate gives a device. */
export type DeviceKeyType = 'ec' | 'rsa';

export interface DeviceKeyPair {
  type: DeviceKeyType;
  keys: CryptoKeyPair;
  /** PKCS#8 PEM for the device's TLS stack. Never log it. */
  privateKeyPem: string;
}

const ecAlgorithm: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const rsaAlgorithm: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

export function keyAlgorithm(
  type: DeviceKeyType,
): webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams {
  return type === 'ec' ? ecAlgorithm : rsaAlgorithm;
}

/** Signing algorithm that goes with a key of this type (for CSRs and certificates). */
export function signingAlgorithm(
  type: DeviceKeyType,
): webcrypto.EcdsaParams | webcrypto.RsaHashedKeyGenParams {
  return type === 'ec' ? { name: 'ECDSA', hash: 'SHA-256' } : rsaAlgorithm;
}

/** A device key as Node's crypto holds it: what the per-device factory steps use. */
export interface DeviceKey {
  type: DeviceKeyType;
  privateKey: KeyObject;
  /** The public key, SubjectPublicKeyInfo DER. */
  spkiDer: Buffer;
  /** PKCS#8 PEM for the device's TLS stack. Never log it. */
  privateKeyPem: string;
}

/**
 * A fresh device key from Node's crypto. EC P-256 is generated in place (well under 0.1 ms): a
 * job on libuv's thread pool costs no less CPU and, with dozens of devices in flight, waits
 * tens of milliseconds in its queue. RSA-2048 (tens of milliseconds) goes to the pool.
 */
export async function generateDeviceKey(type: DeviceKeyType): Promise<DeviceKey> {
  const { privateKey, publicKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  return {
    type,
    privateKey,
    spkiDer: spkiOf(publicKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** A key pair as WebCrypto keys, for @peculiar/x509 (CA certificates, certificates with altNames). */
export async function generateDeviceKeyPair(type: DeviceKeyType): Promise<DeviceKeyPair> {
  const keys = (await subtle.generateKey(keyAlgorithm(type), true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  return { type, keys, privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** Escapes a value for an RFC 4514 distinguished-name string. */
export function dnValue(value: string): string {
  return value.replace(/[\\,+"<>;=#]/g, (c) => `\\${c}`);
}

/** A PKCS#10 CSR in PEM, signed by the device key, with the given subject (e.g. `CN=dev-1`). */
export function createCsr(key: DeviceKey, subject: string): string {
  return encodeCsr({ subject, spkiDer: key.spkiDer, privateKey: key.privateKey });
}
