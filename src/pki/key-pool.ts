import { Worker } from 'node:worker_threads';
import type { KeyStock } from './key-stock.js';
import { IdleTopUp } from './key-stock-topup.js';
import { KeySupplyTally } from './key-supply.js';
import { generateKeyPairPem, type KeyAlgorithm, type KeyPairPem } from './keys.js';

export interface KeyPoolOptions {
  algorithm: KeyAlgorithm;
  /** Keys kept ready; the workers refill up to this number in the background. */
  size: number;
  /** Worker threads generating keys (default 1). More than the spare cores only adds contention. */
  workers?: number;
  /** Keys generated ahead of time on disk: taken once the ready keys run out, before generating. */
  stock?: KeyStock;
  /** With a stock: top it up to this many keys in idle time (0 or absent: never). */
  stockTarget?: number;
}

interface WorkerSlot {
  worker: Worker | undefined;
  /** Keys asked of this worker and not yet received. */
  requested: number;
}

interface GeneratedKey {
  publicKeyPem: string;
  privateKeyPem: string;
}

/**
 * Pre-generated key pairs, refilled by worker threads. `take()` answers from the key stock on
 * disk, else from the pool, else waits for the worker. With a stock the workers start only once
 * it runs dry, so a run the stock covers spends no CPU on key generation. Each key is handed out exactly once.
 * Refills are asked for once the pool is down to half (or someone waits), not after every take,
 * so a busy pool costs a message per batch of keys rather than per key.
 */
export class KeyPool {
  readonly algorithm: KeyAlgorithm;
  readonly size: number;
  private readonly ready: KeyPairPem[] = [];
  private readonly waiters: Array<(key: KeyPairPem) => void> = [];
  private readonly slots: WorkerSlot[];
  private readonly stock: KeyStock | undefined;
  private readonly topUp: IdleTopUp | undefined;
  /** Where the keys handed out came from, and how fast generation served them once the stock ran out. */
  readonly supply: KeySupplyTally;
  private closed = false;
  /** Whether the workers keep the pool filled: from the start without a stock, else once it runs dry. */
  private refilling: boolean;

  constructor(options: KeyPoolOptions) {
    this.algorithm = options.algorithm;
    this.size = Math.max(0, Math.floor(options.size));
    const workers = Math.max(1, Math.floor(options.workers ?? 1));
    this.slots = Array.from({ length: workers }, () => ({ worker: undefined, requested: 0 }));
    this.stock = options.stock;
    if (options.stock && options.stockTarget) {
      this.topUp = new IdleTopUp(options.stock, { target: options.stockTarget });
    }
    this.supply = new KeySupplyTally(this.algorithm, options.stock?.dir);
    this.refilling = options.stock === undefined;
    this.refill();
  }

  /** Keys ready right now. */
  get available(): number {
    return this.ready.length;
  }

  async take(): Promise<KeyPairPem> {
    if (this.closed) throw new Error('key pool is closed; start a new emulator to issue keys');
    this.topUp?.busy();
    const stocked = await this.stock?.take();
    if (stocked) {
      this.supply.served('stock');
      return stocked;
    }
    this.refilling = true;
    const key = this.ready.shift();
    if (key) {
      this.refill();
      this.supply.served('ready');
      return key;
    }
    const asked = Date.now();
    const generated = await this.generate();
    this.supply.served('generated', asked);
    return generated;
  }

  private generate(): Promise<KeyPairPem> {
    if (this.size === 0) return generateKeyPairPem(this.algorithm);
    const waiting = new Promise<KeyPairPem>((resolve) => this.waiters.push(resolve));
    this.refill();
    return waiting;
  }

  /** Resolves once `count` keys (default: the pool size) are ready. */
  async warm(count = this.size): Promise<void> {
    this.refilling = true;
    this.refill();
    while (this.ready.length < Math.min(count, this.size) && !this.closed) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.topUp?.close();
    const workers = this.slots.map((slot) => slot.worker).filter((worker) => worker !== undefined);
    for (const slot of this.slots) slot.worker = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private refill(): void {
    if (this.closed || this.size === 0 || !this.refilling) return;
    const requested = this.slots.reduce((sum, slot) => sum + slot.requested, 0);
    const coming = this.ready.length + requested;
    if (this.waiters.length === 0 && coming > this.size / 2) return;
    let deficit = this.size + this.waiters.length - coming;
    if (deficit <= 0) return;
    const changed = new Set<WorkerSlot>();
    while (deficit > 0) {
      const slot = this.slots.reduce((least, candidate) =>
        candidate.requested < least.requested ? candidate : least,
      );
      slot.requested += 1;
      changed.add(slot);
      deficit -= 1;
    }
    for (const slot of changed) this.ensureWorker(slot).postMessage({ generate: slot.requested });
  }

  private ensureWorker(slot: WorkerSlot): Worker {
    if (slot.worker) return slot.worker;
    const worker = new Worker(new URL('./key-pool-worker.mjs', import.meta.url), {
      workerData: { algorithm: this.algorithm },
    });
    worker.unref();
    worker.on('message', ({ keys }: { keys: GeneratedKey[] }) => {
      slot.requested = Math.max(0, slot.requested - keys.length);
      for (const generated of keys) {
        const key: KeyPairPem = { algorithm: this.algorithm, ...generated };
        const waiter = this.waiters.shift();
        if (waiter) waiter(key);
        else this.ready.push(key);
      }
    });
    worker.on('error', (error) => {
      slot.worker = undefined;
      slot.requested = 0;
      console.error(`provbench: key pool worker failed (${error.message}); generating keys inline instead`);
      for (const waiter of this.waiters.splice(0)) {
        generateKeyPairPem(this.algorithm).then(waiter, () => undefined);
      }
    });
    slot.worker = worker;
    return worker;
  }
}
