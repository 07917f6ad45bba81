import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_PROFILES,
  DEFAULT_PROFILE,
  resolveNetworkProfile,
} from '../../src/network/builtin-profiles.js';
import { isTransparent, NetworkProfileError, NetworkProfileSchema } from '../../src/network/profile.js';

function profileFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pb-net-')), 'link.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('network profiles', () => {
  it('every built-in profile is valid, cellular ones cite a source for each figure', () => {
    for (const [name, profile] of Object.entries(BUILTIN_PROFILES)) {
      expect(NetworkProfileSchema.parse(profile).name).toBe(name);
      if (name === 'none') continue;
      for (const field of ['rttMs', 'uplinkKbps', 'packetLoss', 'radioSetupMs']) {
        expect(profile.sources?.[field], `${name}.${field}`).toBeTruthy();
      }
    }
    expect(BUILTIN_PROFILES[DEFAULT_PROFILE]).toBeDefined();
    expect(isTransparent(BUILTIN_PROFILES.none!)).toBe(true);
    expect(isTransparent(BUILTIN_PROFILES['nb-iot']!)).toBe(false);
  });

  it('slower technologies have longer round trips and less bandwidth', () => {
    const order = ['wifi', 'lte', 'lte-m', 'nb-iot'].map((name) => BUILTIN_PROFILES[name]!);
    for (let i = 1; i < order.length; i++) {
      expect(order[i]!.rttMs.median).toBeGreaterThan(order[i - 1]!.rttMs.median);
      expect(order[i]!.uplinkKbps!).toBeLessThan(order[i - 1]!.uplinkKbps!);
    }
  });

  it('reads a custom profile file of the same shape', () => {
    const path = profileFile({
      name: 'satellite',
      rttMs: { median: 600, p95: 900 },
      uplinkKbps: 64,
      downlinkKbps: 256,
      packetLoss: 0.01,
      radioSetupMs: 0,
    });
    expect(resolveNetworkProfile(path).rttMs.median).toBe(600);
  });

  it.each([
    [
      {
        name: 'x',
        rttMs: { median: 5, p95: 1 },
        uplinkKbps: 1,
        downlinkKbps: 1,
        packetLoss: 0,
        radioSetupMs: 0,
      },
      /rttMs: p95 must be at least the median/,
    ],
    [
      {
        name: 'x',
        rttMs: { median: 5, p95: 9 },
        uplinkKbps: 'fast',
        downlinkKbps: 1,
        packetLoss: 0,
        radioSetupMs: 0,
      },
      /uplinkKbps/,
    ],
    [
      {
        name: 'x',
        rttMs: { median: 5, p95: 9 },
        uplinkKbps: 1,
        downlinkKbps: 1,
        packetLoss: 2,
        radioSetupMs: 0,
      },
      /packetLoss/,
    ],
    [
      {
        name: 'x',
        rttMs: { median: 5, p95: 9 },
        uplinkKbps: 1,
        downlinkKbps: 1,
        packetLoss: 0,
        radioSetupMs: 0,
        jitter: 3,
      },
      /jitter|Unrecognized/,
    ],
    ['{ not json', /is not JSON/],
  ])('refuses a bad profile with a message naming the problem (%#)', (content, message) => {
    const path = profileFile(content);
    const error = (() => {
      try {
        resolveNetworkProfile(path);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(NetworkProfileError);
    expect((error as NetworkProfileError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses an unknown profile name, listing the built-in ones', () => {
    expect(() => resolveNetworkProfile('5g')).toThrow(
      /unknown network profile "5g": use one of none, wifi, lte, lte-m, nb-iot/,
    );
  });
});
