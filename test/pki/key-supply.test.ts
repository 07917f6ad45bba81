import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeySupplyTally } from '../../src/pki/key-supply.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('key supply tally', () => {
  it('rates generation over the time callers waited, not over idle gaps between waits', () => {
    vi.useFakeTimers();
    const tally = new KeySupplyTally('rsa-2048', undefined);
    vi.setSystemTime(1_000);
    tally.served('ready');
    // Two keys waited for 1 s each, back to back; then 60 s with no caller; then one more 1 s wait.
    vi.setSystemTime(2_000);
    tally.served('generated', 1_000);
    vi.setSystemTime(3_000);
    tally.served('generated', 1_500);
    vi.setSystemTime(64_000);
    tally.served('generated', 63_000);
    const report = tally.report();
    expect(report).toMatchObject({ fromReady: 1, generated: 3, ranOutAfter: 1 });
    // 3 keys over 3 s of waiting (1-3 s and 63-64 s), not over the 63 s from first wait to last.
    expect(report.generatedPerSecond).toBeCloseTo(1, 5);
  });

  it('reports no generation rate when every key was ready', () => {
    const tally = new KeySupplyTally('ec-p256', '/tmp/stock');
    tally.served('stock');
    tally.served('ready');
    expect(tally.report()).toMatchObject({ generated: 0, ranOutAfter: null, generatedPerSecond: null });
  });
});
