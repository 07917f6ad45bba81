import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 needs reflect-metadata loaded first and a WebCrypto provider; every module in
// scenarios/lib imports x509 from here so that holds wherever the helpers run (main or worker).
x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);

export { x509 };
export const subtle = webcrypto.subtle;
