export {
  CertificateParseError,
  certificateIdOf,
  type DistinguishedName,
  isSignedBy,
  isWithinValidity,
  type ParsedCertificate,
  parseCertificatePem,
  parseDistinguishedName,
  splitPemCertificates,
} from './certificate.js';
export { CsrParseError, createCsrPem, type ParsedCsr, parseCsrPem } from './csr.js';
export {
  AWS_DEVICE_ISSUER_SUBJECT,
  AWS_DEVICE_NOT_AFTER,
  AWS_DEVICE_SUBJECT,
  CsrRejectedError,
  EMULATOR_ROOT_SUBJECT,
  EmulatorPki,
  type EmulatorPkiOptions,
  type IssuedKeysAndCertificate,
  type ServerCredentials,
} from './emulator-pki.js';
export {
  type CertificateAuthorityMaterial,
  createCertificateAuthority,
  type IssueCertificateOptions,
  issueCertificate,
  randomSerialNumber,
  type SignerIdentity,
  signerFrom,
} from './issue.js';
export { KeyPool, type KeyPoolOptions } from './key-pool.js';
export {
  generateKeyPairPem,
  generateKeyPairPemSync,
  importKeyPair,
  importSigningKey,
  type KeyAlgorithm,
  type KeyPairPem,
  publicKeyDer,
  type SigningKey,
} from './keys.js';
