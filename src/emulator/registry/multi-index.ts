/**
 * A one-to-many index (key → distinct values) that keeps a lone value inline and makes a Set
 * only for a key's second value: most principals have one thing and one policy, and a Set per
 * entry costs several times the entry itself.
 */
export class MultiIndex<K, V extends string | number> {
  private readonly entries = new Map<K, V | Set<V>>();

  /** Number of keys with at least one value. */
  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  hasValue(key: K, value: V): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    return entry instanceof Set ? entry.has(value) : entry === value;
  }

  /** Number of values under a key. */
  count(key: K): number {
    const entry = this.entries.get(key);
    if (entry === undefined) return 0;
    return entry instanceof Set ? entry.size : 1;
  }

  /** The values under a key, in insertion order (a copy). */
  values(key: K): V[] {
    const entry = this.entries.get(key);
    if (entry === undefined) return [];
    return entry instanceof Set ? [...entry] : [entry];
  }

  add(key: K, value: V): void {
    const entry = this.entries.get(key);
    if (entry === undefined) this.entries.set(key, value);
    else if (entry instanceof Set) entry.add(value);
    else if (entry !== value) this.entries.set(key, new Set([entry, value]));
  }

  delete(key: K, value: V): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    if (!(entry instanceof Set)) {
      if (entry === value) this.entries.delete(key);
      return;
    }
    entry.delete(value);
    if (entry.size === 1) this.entries.set(key, entry.values().next().value as V);
    else if (entry.size === 0) this.entries.delete(key);
  }

  /** Removes a key and returns the values it had. */
  deleteKey(key: K): V[] {
    const values = this.values(key);
    this.entries.delete(key);
    return values;
  }

  /** Every (key, value) pair. */
  *pairs(): IterableIterator<[K, V]> {
    for (const [key, entry] of this.entries) {
      if (entry instanceof Set) for (const value of entry) yield [key, value];
      else yield [key, entry];
    }
  }
}
