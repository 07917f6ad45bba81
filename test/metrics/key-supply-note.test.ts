import { describe, expect, it } from 'vitest';
import type { KeySupply } from '../../src/contract/key-supply.js';
import { keySupplyNote } from '../../src/metrics/key-supply-note.js';

const supply = (over: Partial<KeySupply>): KeySupply => ({
  algorithm: 'rsa-2048',
  stockDir: '/cache/keys/rsa-2048',
  fromReady: 32,
  fromStock: 100,
  generated: 68,
  ranOutAfter: 132,
  generatedPerSecond: 4.84,
  ...over,
});

describe('key supply note', () => {
  it('names key generation as the limiter when it served fewer keys per second than the quota', () => {
    expect(keySupplyNote(supply({}), 10)).toBe(
      'key stock ran out after 132 keys (100 from /cache/keys/rsa-2048): RSA-2048 key generation limited CreateKeysAndCertificate to 4.8/s, below the 10/s quota, for the other 68 keys; fill the stock first: provbench keys fill --count 200',
    );
  });

  it('claims no limit from fewer generated keys than one second of the quota', () => {
    const small = keySupplyNote(supply({ generated: 8, ranOutAfter: 0, generatedPerSecond: 1.9 }), 10);
    expect(small).not.toMatch(/limited/);
    expect(small).toMatch(/served 1\.9\/s/);
  });

  it('says nothing when no key had to be generated', () => {
    expect(
      keySupplyNote(supply({ generated: 0, ranOutAfter: null, generatedPerSecond: null }), 10),
    ).toBeNull();
  });

  it('does not blame generation that kept up with the quota, or runs without quotas', () => {
    const fast = keySupplyNote(supply({ algorithm: 'ec-p256', generatedPerSecond: 250 }), 10);
    expect(fast).toContain('EC P-256 key generation then served 250.0/s, for the other 68 keys');
    expect(fast).not.toContain('limited');
    expect(keySupplyNote(supply({}), undefined)).not.toContain('limited');
  });

  it('says when the stock was empty from the start', () => {
    expect(
      keySupplyNote(
        supply({ fromReady: 0, fromStock: 0, generated: 300, ranOutAfter: 0, generatedPerSecond: 8 }),
        10,
      ),
    ).toBe(
      'the key stock /cache/keys/rsa-2048 was empty: RSA-2048 key generation limited CreateKeysAndCertificate to 8.0/s, below the 10/s quota, for all 300 keys; fill the stock first: provbench keys fill --count 300',
    );
  });

  it('says when there was no stock at all', () => {
    expect(keySupplyNote(supply({ stockDir: null, fromStock: 0, ranOutAfter: 32 }), 10)).toMatch(
      /^no key stock: the ready keys ran out after 32: RSA-2048 key generation limited/,
    );
  });
});
