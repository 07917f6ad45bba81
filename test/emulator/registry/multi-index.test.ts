import { describe, expect, it } from 'vitest';
import { MultiIndex } from '../../../src/emulator/registry/multi-index.js';

describe('MultiIndex', () => {
  it('keeps distinct values per key in insertion order, through the one-value and many-value forms', () => {
    const index = new MultiIndex<string, string>();
    index.add('cert-a', 'thing-1');
    index.add('cert-a', 'thing-1');
    expect(index.values('cert-a')).toEqual(['thing-1']);
    expect(index.count('cert-a')).toBe(1);
    index.add('cert-a', 'thing-2');
    index.add('cert-a', 'thing-3');
    expect(index.values('cert-a')).toEqual(['thing-1', 'thing-2', 'thing-3']);
    expect(index.hasValue('cert-a', 'thing-2')).toBe(true);
    expect(index.hasValue('cert-a', 'thing-4')).toBe(false);
    index.delete('cert-a', 'thing-1');
    index.delete('cert-a', 'thing-3');
    expect(index.values('cert-a')).toEqual(['thing-2']);
    expect(index.count('cert-a')).toBe(1);
    index.add('cert-a', 'thing-5');
    expect(index.values('cert-a')).toEqual(['thing-2', 'thing-5']);
  });

  it('drops a key with its last value, and ignores values it does not hold', () => {
    const index = new MultiIndex<string, string>();
    index.add('k', 'v');
    index.delete('k', 'other');
    index.delete('missing', 'v');
    expect(index.has('k')).toBe(true);
    index.delete('k', 'v');
    expect(index.has('k')).toBe(false);
    expect(index.size).toBe(0);
    expect(index.values('k')).toEqual([]);
    index.add('k', 'a');
    index.add('k', 'b');
    index.delete('k', 'a');
    index.delete('k', 'b');
    expect(index.size).toBe(0);
  });

  it('lists every pair and removes a whole key at once', () => {
    const index = new MultiIndex<string, string>();
    index.add('p', 'a');
    index.add('p', 'b');
    index.add('q', 'c');
    expect([...index.pairs()]).toEqual([
      ['p', 'a'],
      ['p', 'b'],
      ['q', 'c'],
    ]);
    expect(index.deleteKey('p')).toEqual(['a', 'b']);
    expect(index.deleteKey('p')).toEqual([]);
    expect([...index.pairs()]).toEqual([['q', 'c']]);
  });
});
