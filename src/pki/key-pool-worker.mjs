// Generates key pairs on a worker thread so RSA-2048 (about 200 ms of CPU each) never blocks the
// event loop. Plain .mjs so it runs without tsx. Protocol: receives {generate: n}, posts one
// {publicKeyPem, privateKeyPem} per key.
import { generateKeyPairSync } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const algorithm = workerData.algorithm;

function generate() {
  const pair =
    algorithm === 'rsa-2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: pair.privateKey
      .export({ type: algorithm === 'rsa-2048' ? 'pkcs1' : 'sec1', format: 'pem' })
      .toString(),
  };
}

let wanted = 0;
let running = false;

function drain() {
  if (running) return;
  running = true;
  const step = () => {
    if (wanted <= 0) {
      running = false;
      return;
    }
    wanted -= 1;
    parentPort.postMessage(generate());
    // Yield between keys so new requests (and termination) are seen promptly.
    setImmediate(step);
  };
  step();
}

parentPort.on('message', (message) => {
  if (typeof message?.generate === 'number') {
    wanted = message.generate;
    drain();
  }
});
