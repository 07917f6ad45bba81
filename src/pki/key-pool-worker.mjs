// Generates key pairs on a worker thread so RSA-2048 (about 200 ms of CPU each) never blocks the
// event loop. Plain .mjs so it runs without tsx. Protocol: receives {generate: n} (the number of
// keys wanted from now on), posts {keys: [{publicKeyPem, privateKeyPem}, ...]}: as many keys as
// it made in up to BATCH_MS, so cheap EC keys cost one message per batch, not one per key.
import { generateKeyPairSync } from 'node:crypto';
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const algorithm = workerData.algorithm;
// Filling the key stock in idle time: on Linux a thread has its own nice value, and
// setPriority(0, ...) called here sets this worker thread's, leaving the emulator's alone.
if (workerData.lowPriority) {
  try {
    setPriority(0, 19);
  } catch {
    // Not permitted here: generate at normal priority.
  }
}
const BATCH_MS = 4;

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
    const keys = [];
    const until = performance.now() + BATCH_MS;
    do {
      keys.push(generate());
      wanted -= 1;
    } while (wanted > 0 && performance.now() < until);
    parentPort.postMessage({ keys });
    // Yield between batches so new requests (and termination) are seen promptly.
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
