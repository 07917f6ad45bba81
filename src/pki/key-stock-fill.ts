import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KeyStock } from './key-stock.js';
import type { KeyAlgorithm, KeyPairPem } from './keys.js';

export interface FillOptions {
  /** Fill until the stock holds this many keys. */
  target: number;
  /** Worker threads generating keys (default: the CPU cores). */
  workers?: number;
  /** Called after each batch is stored, with the keys in stock. */
  onProgress?: (inStock: number) => void;
  signal?: AbortSignal;
  /** Generate at the lowest CPU priority (nice 19), for filling in idle time. */
  lowPriority?: boolean;
}

export interface FillOutcome {
  added: number;
  inStock: number;
  seconds: number;
}

/** Asks a key-pool-worker.mjs thread for `count` keys; each batch it posts is handed to `store`. */
function generateOn(
  worker: Worker,
  algorithm: KeyAlgorithm,
  count: number,
  store: (keys: KeyPairPem[]) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = 0;
    let pending = Promise.resolve();
    const stop = () => {
      worker.off('message', onMessage);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      stop();
      pending.then(resolve, reject);
    };
    const onMessage = ({ keys }: { keys: Array<Omit<KeyPairPem, 'algorithm'>> }) => {
      received += keys.length;
      const batch = keys.map((key) => ({ ...key, algorithm }));
      pending = pending.then(() => store(batch));
      if (received >= count) {
        stop();
        pending.then(resolve, reject);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage({ generate: count });
  });
}

/** Generates keys on worker threads until the stock holds `target` keys. */
export async function fillKeyStock(stock: KeyStock, options: FillOptions): Promise<FillOutcome> {
  const started = performance.now();
  await stock.prepare();
  const before = await stock.count();
  const missing = Math.max(0, Math.floor(options.target) - before);
  const workerCount = Math.max(1, Math.min(missing, Math.floor(options.workers ?? availableParallelism())));
  let inStock = before;
  const store = async (keys: KeyPairPem[]) => {
    await stock.add(keys);
    inStock += keys.length;
    options.onProgress?.(inStock);
  };
  if (missing > 0) {
    const workers = Array.from(
      { length: workerCount },
      () =>
        new Worker(new URL('./key-pool-worker.mjs', import.meta.url), {
          workerData: { algorithm: stock.algorithm, lowPriority: options.lowPriority === true },
        }),
    );
    try {
      await Promise.all(
        workers.map((worker, index) => {
          const share = Math.floor(missing / workerCount) + (index < missing % workerCount ? 1 : 0);
          return generateOn(worker, stock.algorithm, share, store, options.signal);
        }),
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
  }
  return { added: inStock - before, inStock, seconds: (performance.now() - started) / 1000 };
}
