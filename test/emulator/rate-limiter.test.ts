import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, TokenBucket } from '../../src/emulator/rate-limiter.js';

function clock() {
  let ms = 0;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

const takes = (take: () => boolean, times: number) =>
  Array.from({ length: times }, take).filter(Boolean).length;

describe('TokenBucket', () => {
  it('bursts one second worth, then refills at the rate', () => {
    const time = clock();
    const bucket = new TokenBucket(10, undefined, time.now);
    expect(takes(() => bucket.tryTake(), 15)).toBe(10);
    time.advance(250);
    expect(takes(() => bucket.tryTake(), 5)).toBe(2);
    time.advance(10_000);
    expect(takes(() => bucket.tryTake(), 20)).toBe(10);
  });

  it('keeps an explicit burst, and at least one token for a rate below one a second', () => {
    const time = clock();
    const burst = new TokenBucket(10, 3, time.now);
    expect(takes(() => burst.tryTake(), 5)).toBe(3);
    const slow = new TokenBucket(0.5, undefined, time.now);
    expect(takes(() => slow.tryTake(), 3)).toBe(1);
    time.advance(1_000);
    expect(slow.tryTake()).toBe(false);
    time.advance(1_000);
    expect(slow.tryTake()).toBe(true);
  });
});

describe('KeyedRateLimiter', () => {
  it('limits each key on its own', () => {
    const time = clock();
    const limiter = new KeyedRateLimiter(1, time.now);
    expect(limiter.tryTake('a')).toBe(true);
    expect(limiter.tryTake('a')).toBe(false);
    expect(limiter.tryTake('b')).toBe(true);
    time.advance(1_000);
    expect(limiter.tryTake('a')).toBe(true);
  });
});
