import { Worker } from 'node:worker_threads';
import { generateKeyPairPem, type KeyAlgorithm, type KeyPairPem } from './keys.js';

export interface KeyPoolOptions {
  algorithm: KeyAlgorithm;
  /** Keys kept ready; the worker refills up to this number in the background. */
  size: number;
}

interface GeneratedKey {
  publicKeyPem: string;
  privateKeyPem: string;
}

/**
 * Pre-generated key pairs, refilled by one worker thread. `take()` answers from the pool at
 * once, or waits for the worker when the pool is empty. Each key is handed out exactly once.
 */
export class KeyPool {
  readonly algorithm: KeyAlgorithm;
  readonly size: number;
  private readonly ready: KeyPairPem[] = [];
  private readonly waiters: Array<(key: KeyPairPem) => void> = [];
  private worker: Worker | undefined;
  private requested = 0;
  private closed = false;

  constructor(options: KeyPoolOptions) {
    this.algorithm = options.algorithm;
    this.size = Math.max(0, Math.floor(options.size));
    this.refill();
  }

  /** Keys ready right now. */
  get available(): number {
    return this.ready.length;
  }

  async take(): Promise<KeyPairPem> {
    if (this.closed) throw new Error('key pool is closed; start a new emulator to issue keys');
    const key = this.ready.shift();
    if (key) {
      this.refill();
      return key;
    }
    if (this.size === 0) return generateKeyPairPem(this.algorithm);
    const waiting = new Promise<KeyPairPem>((resolve) => this.waiters.push(resolve));
    this.refill();
    return waiting;
  }

  /** Resolves once `count` keys (default: the pool size) are ready. */
  async warm(count = this.size): Promise<void> {
    while (this.ready.length < Math.min(count, this.size) && !this.closed) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private refill(): void {
    if (this.closed || this.size === 0) return;
    const deficit = this.size + this.waiters.length - this.ready.length - this.requested;
    if (deficit <= 0) return;
    const worker = this.ensureWorker();
    this.requested += deficit;
    worker.postMessage({ generate: this.requested });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./key-pool-worker.mjs', import.meta.url), {
      workerData: { algorithm: this.algorithm },
    });
    worker.unref();
    worker.on('message', (generated: GeneratedKey) => {
      this.requested = Math.max(0, this.requested - 1);
      const key: KeyPairPem = { algorithm: this.algorithm, ...generated };
      const waiter = this.waiters.shift();
      if (waiter) waiter(key);
      else this.ready.push(key);
    });
    worker.on('error', (error) => {
      this.worker = undefined;
      this.requested = 0;
      console.error(`provbench: key pool worker failed (${error.message}); generating keys inline instead`);
      for (const waiter of this.waiters.splice(0)) {
        generateKeyPairPem(this.algorithm).then(waiter, () => undefined);
      }
    });
    this.worker = worker;
    return worker;
  }
}
