import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * SubjectPublicKeyInfo DER in and out of Node's KeyObjects. Uncompressed P-256 keys (every EC
 * device key here) go through their JWK coordinates: OpenSSL 3's DER encoder and decoder take
 * several times longer for the same key, which shows at thousands of devices.
 */

/** SPKI header of an uncompressed P-256 public key: id-ecPublicKey, prime256v1, BIT STRING. */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const P256_SPKI_LENGTH = P256_SPKI_PREFIX.length + 65;

export function spkiOf(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    const { x, y } = publicKey.export({ format: 'jwk' });
    if (x && y) {
      return Buffer.concat([
        P256_SPKI_PREFIX,
        Buffer.from([0x04]),
        Buffer.from(x, 'base64url'),
        Buffer.from(y, 'base64url'),
      ]);
    }
  }
  return publicKey.export({ type: 'spki', format: 'der' });
}

export function publicKeyOf(spkiDer: Buffer): KeyObject {
  const isP256 =
    spkiDer.length === P256_SPKI_LENGTH &&
    spkiDer.subarray(0, P256_SPKI_PREFIX.length).equals(P256_SPKI_PREFIX) &&
    spkiDer[P256_SPKI_PREFIX.length] === 0x04;
  if (!isP256) return createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  const point = spkiDer.subarray(P256_SPKI_PREFIX.length + 1);
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(0, 32).toString('base64url'),
      y: point.subarray(32).toString('base64url'),
    },
    format: 'jwk',
  });
}
