import type { KeySupply } from '../contract/key-supply.js';
import type { KeyAlgorithm } from './keys.js';

export type KeySource = 'ready' | 'stock' | 'generated';

/** Counts where the key pool's keys came from (see KeySupply). */
export class KeySupplyTally {
  private readonly algorithm: KeyAlgorithm;
  private readonly stockDir: string | null;
  private readonly counts: Record<KeySource, number> = { ready: 0, stock: 0, generated: 0 };
  private ranOutAfter: number | null = null;
  /** Time during which at least one call waited for a key being generated (union of waits). */
  private waitingMs = 0;
  private waitsEndAt = 0;

  constructor(algorithm: KeyAlgorithm, stockDir: string | undefined) {
    this.algorithm = algorithm;
    this.stockDir = stockDir ?? null;
  }

  /** A key was handed out; `askedAt` (epoch ms) is when a generated key was asked for. */
  served(source: KeySource, askedAt = Date.now()): void {
    if (source === 'generated') {
      if (this.ranOutAfter === null) this.ranOutAfter = this.counts.ready + this.counts.stock;
      // Keys are served in order, so the waits' union grows at its end: an idle gap between
      // waits (another pattern running, no caller) does not count as generation time.
      const now = Date.now();
      const from = Math.max(askedAt, this.waitsEndAt);
      if (now > from) this.waitingMs += now - from;
      this.waitsEndAt = Math.max(this.waitsEndAt, now);
    }
    this.counts[source] += 1;
  }

  report(): KeySupply {
    const generated = this.counts.generated;
    return {
      algorithm: this.algorithm,
      stockDir: this.stockDir,
      fromReady: this.counts.ready,
      fromStock: this.counts.stock,
      generated,
      ranOutAfter: this.ranOutAfter,
      // Generation's pace while callers waited for it: what it held CreateKeysAndCertificate to.
      generatedPerSecond: generated === 0 ? null : generated / Math.max(this.waitingMs / 1000, 0.001),
    };
  }
}
