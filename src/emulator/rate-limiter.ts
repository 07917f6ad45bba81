/** Rate limits of both planes: AWS's TPS quotas (control plane) and the broker's connect and fleet-provisioning limits (data plane). */

/** A token bucket: `ratePerSecond` tokens a second, bursting up to `burst` (default one second's worth). */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  constructor(
    readonly ratePerSecond: number,
    burst?: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.burst = Math.max(1, burst ?? ratePerSecond);
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Takes a token when one is available. */
  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One bucket per key (client ID), forgotten once full again so memory stays bounded. */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, { bucket: TokenBucket; lastUsed: number }>();

  constructor(
    private readonly rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  tryTake(key: string): boolean {
    const now = this.now();
    if (this.buckets.size > 10_000) this.sweep(now);
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.rate, 1, this.now), lastUsed: now };
      this.buckets.set(key, entry);
    }
    entry.lastUsed = now;
    return entry.bucket.tryTake();
  }

  private sweep(now: number): void {
    const idleMs = 1000 / this.rate;
    for (const [key, entry] of this.buckets) {
      if (now - entry.lastUsed > idleMs) this.buckets.delete(key);
    }
  }
}
