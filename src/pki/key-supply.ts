import type { KeySupply } from '../contract/key-supply.js';
import type { KeyAlgorithm } from './keys.js';

export type KeySource = 'ready' | 'stock' | 'generated';

/** Counts where the key pool's keys came from (see KeySupply). */
export class KeySupplyTally {
  private readonly algorithm: KeyAlgorithm;
  private readonly stockDir: string | null;
  private readonly counts: Record<KeySource, number> = { ready: 0, stock: 0, generated: 0 };
  private ranOutAfter: number | null = null;
  private firstWaitAt = 0;
  private lastServedAt = 0;
  /** Keys handed out since the first wait: all of them generation's, whether awaited or ready. */
  private sinceRanOut = 0;

  constructor(algorithm: KeyAlgorithm, stockDir: string | undefined) {
    this.algorithm = algorithm;
    this.stockDir = stockDir ?? null;
  }

  /** A key was handed out; `askedAt` (epoch ms) is when a generated key was asked for. */
  served(source: KeySource, askedAt = Date.now()): void {
    if (source === 'generated' && this.ranOutAfter === null) {
      this.ranOutAfter = this.counts.ready + this.counts.stock;
      this.firstWaitAt = askedAt;
    }
    if (this.ranOutAfter !== null && source !== 'stock') {
      this.sinceRanOut += 1;
      this.lastServedAt = Date.now();
    }
    this.counts[source] += 1;
  }

  report(): KeySupply {
    const waitedMs = this.lastServedAt - this.firstWaitAt;
    const generated = this.counts.generated;
    return {
      algorithm: this.algorithm,
      stockDir: this.stockDir,
      fromReady: this.counts.ready,
      fromStock: this.counts.stock,
      generated,
      ranOutAfter: this.ranOutAfter,
      generatedPerSecond: generated === 0 ? null : this.sinceRanOut / Math.max(waitedMs / 1000, 0.001),
    };
  }
}
