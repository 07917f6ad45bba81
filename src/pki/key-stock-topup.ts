import type { KeyStock } from './key-stock.js';
import { fillKeyStock } from './key-stock-fill.js';

export interface IdleTopUpOptions {
  /** Keys the stock should hold. */
  target: number;
  /** Quiet time (no key handed out) after which filling starts (default 10 s). */
  idleMs?: number;
}

const DEFAULT_IDLE_MS = 10_000;

/**
 * Tops the key stock up while the emulator hands out no keys: after `idleMs` of quiet, one
 * worker thread at the lowest CPU priority generates keys into the stock until it holds
 * `target`; the next key handed out stops it at once (the keys already made stay stocked).
 */
export class IdleTopUp {
  private readonly stock: KeyStock;
  private readonly target: number;
  private readonly idleMs: number;
  private timer: NodeJS.Timeout | undefined;
  private filling: AbortController | undefined;
  private closed = false;

  constructor(stock: KeyStock, options: IdleTopUpOptions) {
    this.stock = stock;
    this.target = Math.max(0, Math.floor(options.target));
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.arm();
  }

  /** A key was handed out: stop filling, and wait for the next quiet spell. */
  busy(): void {
    this.filling?.abort();
    this.arm();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.filling?.abort();
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.closed || this.target === 0) return;
    this.timer = setTimeout(() => void this.fill(), this.idleMs);
    this.timer.unref();
  }

  private async fill(): Promise<void> {
    if (this.filling || this.closed) return;
    const controller = new AbortController();
    this.filling = controller;
    try {
      await fillKeyStock(this.stock, {
        target: this.target,
        workers: 1,
        lowPriority: true,
        signal: controller.signal,
      });
    } catch (error) {
      console.error(`provbench: filling the key stock in idle time failed (${(error as Error).message})`);
    } finally {
      this.filling = undefined;
    }
  }
}
