import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  type KeyObject,
  type webcrypto,
} from 'node:crypto';
import { promisify } from 'node:util';
import { subtle } from './webcrypto.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Key types the emulator issues: AWS's RSA-2048, or EC P-256 for speed runs. */
export type KeyAlgorithm = 'rsa-2048' | 'ec-p256';

/**
 * A key pair in the PEM forms AWS returns from CreateKeysAndCertificate: SPKI public key and a
 * traditional private key (PKCS#1 `RSA PRIVATE KEY` for RSA, SEC1 `EC PRIVATE KEY` for EC).
 */
export interface KeyPairPem {
  algorithm: KeyAlgorithm;
  publicKeyPem: string;
  privateKeyPem: string;
}

function pemPair(algorithm: KeyAlgorithm, publicKey: KeyObject, privateKey: KeyObject): KeyPairPem {
  return {
    algorithm,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey
      .export({ type: algorithm === 'rsa-2048' ? 'pkcs1' : 'sec1', format: 'pem' })
      .toString(),
  };
}

export function generateKeyPairPemSync(algorithm: KeyAlgorithm): KeyPairPem {
  const pair =
    algorithm === 'rsa-2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return pemPair(algorithm, pair.publicKey, pair.privateKey);
}

/** Generates off the event loop (libuv thread pool); prefer KeyPool for RSA under load. */
export async function generateKeyPairPem(algorithm: KeyAlgorithm): Promise<KeyPairPem> {
  const pair =
    algorithm === 'rsa-2048'
      ? await generateKeyPairAsync('rsa', { modulusLength: 2048 })
      : await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  return pemPair(algorithm, pair.publicKey, pair.privateKey);
}

export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'rsa-2048';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return 'ec-p256';
  throw new Error(
    `unsupported key type ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}: use RSA or EC P-256`,
  );
}

/** SPKI DER of any public or private key PEM. */
export function publicKeyDer(keyPem: string): Buffer {
  const key = keyPem.includes('PRIVATE KEY')
    ? createPublicKey(createPrivateKey(keyPem))
    : createPublicKey(keyPem);
  return key.export({ type: 'spki', format: 'der' });
}

/** WebCrypto signing algorithm (SHA-256) matching a key: RSASSA-PKCS1-v1_5 or ECDSA P-256. */
export function signingAlgorithmFor(
  algorithm: KeyAlgorithm,
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  return algorithm === 'rsa-2048'
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: 'P-256' };
}

export interface SigningKey {
  algorithm: KeyAlgorithm;
  keyObject: KeyObject;
  cryptoKey: webcrypto.CryptoKey;
  /** The algorithm object @peculiar/x509 needs to sign with this key. */
  signingAlgorithm: webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams;
}

/** Imports a private key PEM (PKCS#1, SEC1 or PKCS#8) for signing certificates and CSRs. */
export async function importSigningKey(privateKeyPem: string): Promise<SigningKey> {
  const keyObject = createPrivateKey(privateKeyPem);
  const algorithm = keyAlgorithmOf(keyObject);
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const cryptoKey = await subtle.importKey('pkcs8', pkcs8, signingAlgorithmFor(algorithm), false, ['sign']);
  const signingAlgorithm =
    algorithm === 'rsa-2048'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
      : { name: 'ECDSA', hash: 'SHA-256' };
  return { algorithm, keyObject, cryptoKey, signingAlgorithm };
}

/** Imports a key pair as a WebCrypto CryptoKeyPair (e.g. to build a CSR with @peculiar/x509). */
export async function importKeyPair(pair: KeyPairPem): Promise<webcrypto.CryptoKeyPair> {
  const params = signingAlgorithmFor(pair.algorithm);
  const privateKey = await subtle.importKey(
    'pkcs8',
    createPrivateKey(pair.privateKeyPem).export({ type: 'pkcs8', format: 'der' }),
    params,
    true,
    ['sign'],
  );
  const publicKey = await subtle.importKey('spki', publicKeyDer(pair.publicKeyPem), params, true, ['verify']);
  return { privateKey, publicKey };
}
