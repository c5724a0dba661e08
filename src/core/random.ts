/** Small seeded PRNG (mulberry32): batch order and noise seeds must repeat across runs and backends. */
export class SeededRandom {
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The whole stream's position: saving and restoring it continues the stream exactly (a resumed run). */
  state: number;

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

export function createRng(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** Where an IndexSampler is in its pass: the pass's order and how much of it was drawn. */
export interface SamplerState {
  order: Uint32Array;
  cursor: number;
}

/** Indices drawn without replacement within each pass over 0..n-1 (reshuffled per pass). */
export class IndexSampler {
  private order: Uint32Array;
  private cursor = 0;

  constructor(
    private readonly n: number,
    private readonly random: () => number,
  ) {
    if (n <= 0) throw new Error('cannot sample from an empty set');
    this.order = this.shuffled();
  }

  private shuffled(): Uint32Array {
    const order = Uint32Array.from({ length: this.n }, (_, i) => i);
    for (let i = this.n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }

  draw(count: number): number[] {
    const out: number[] = [];
    while (out.length < count) {
      if (this.cursor >= this.n) {
        this.order = this.shuffled();
        this.cursor = 0;
      }
      out.push(this.order[this.cursor++]);
    }
    return out;
  }

  save(): SamplerState {
    return { order: this.order.slice(), cursor: this.cursor };
  }

  restore(state: SamplerState): void {
    if (state.order.length !== this.n || !(state.cursor >= 0 && state.cursor <= this.n)) {
      throw new Error(`a sampler state over ${state.order.length} images does not fit a set of ${this.n}`);
    }
    this.order = state.order.slice();
    this.cursor = state.cursor;
  }
}

/** `count` indices drawn without replacement within each pass over 0..n-1 (reshuffled per pass). */
export function createIndexSampler(n: number, rng: () => number): (count: number) => number[] {
  const sampler = new IndexSampler(n, rng);
  return (count) => sampler.draw(count);
}
