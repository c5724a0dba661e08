/** Small seeded PRNG (mulberry32): batch order and noise seeds must repeat across runs and backends. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` indices drawn without replacement within each pass over 0..n-1 (reshuffled per pass). */
export function createIndexSampler(n: number, rng: () => number): (count: number) => number[] {
  if (n <= 0) throw new Error('cannot sample from an empty set');
  let order: number[] = [];
  let cursor = 0;
  const reshuffle = () => {
    order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    cursor = 0;
  };
  reshuffle();
  return (count) => {
    const out: number[] = [];
    while (out.length < count) {
      if (cursor >= n) reshuffle();
      out.push(order[cursor++]);
    }
    return out;
  };
}
