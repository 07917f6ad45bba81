/** Seeded pseudo-random numbers (mulberry32) so generated samples are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal latencies in microseconds around `medianUs` (a typical network latency shape). */
export function logNormalLatenciesUs(count: number, medianUs: number, sigma: number, seed: number): number[] {
  const random = seededRandom(seed);
  const values: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const u1 = Math.max(random(), Number.EPSILON);
    const u2 = random();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    values.push(Math.round(medianUs * Math.exp(sigma * normal)));
  }
  return values;
}

/** Exact percentile of raw samples (nearest rank), to check the histogram against. */
export function exactPercentile(values: readonly number[], percentile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  // The small epsilon keeps 99.9% of 20,000 at rank 19,980 despite floating-point error.
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length - 1e-9));
  return sorted[rank - 1] ?? 0;
}
