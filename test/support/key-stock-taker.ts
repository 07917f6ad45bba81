// Child process for the key stock test: takes every key it can from the stock given as
// argv[2] (EC P-256) and prints the SHA-256 of each private key, one a line (never the key).
import { createHash } from 'node:crypto';
import { KeyStock } from '../../src/pki/key-stock.js';

const stock = new KeyStock(process.argv[2] ?? '', 'ec-p256');
const taken: string[] = [];
for (let key = await stock.take(); key; key = await stock.take()) {
  taken.push(createHash('sha256').update(key.privateKeyPem).digest('hex'));
}
process.stdout.write(`${taken.join('\n')}\n`);
