/**
 * Seeded randomness for the field link: the same (seed, device, connection, direction) always
 * gives the same sequence, whatever else runs at the same time.
 */

/** splitmix32-style mixing of several integers into one 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let hash = 0x9e3779b9;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part | 0), 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
    hash = (hash + 0x9e3779b9) | 0;
  }
  return hash >>> 0;
}

/** mulberry32: a small, fast generator of uniform numbers in [0, 1). */
export function uniformSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const Z_95 = 1.6448536269514722;

/**
 * Samples of a lognormal distribution with the given median and 95th percentile (a round-trip
 * time's usual shape: a floor-ish body and a long tail). p95 == median gives the median always.
 */
export function lognormalSampler(median: number, p95: number, uniform: () => number): () => number {
  if (median <= 0) return () => 0;
  const sigma = p95 > median ? Math.log(p95 / median) / Z_95 : 0;
  if (sigma === 0) return () => median;
  return () => {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const u1 = 1 - uniform();
    const u2 = uniform();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return median * Math.exp(sigma * normal);
  };
}
