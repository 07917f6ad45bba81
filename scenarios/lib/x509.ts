// @peculiar/x509 with Node's WebCrypto provider set (and reflect-metadata loaded first), shared
// with src/pki so the provider is configured once wherever the helpers run (main or worker).
export { subtle, x509 } from '../../src/pki/webcrypto.js';
