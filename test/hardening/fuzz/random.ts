// A seeded source of choices for the fuzzer: every generated input is a pure function of
// (seed, target, index), so a failure prints one seed and one index and reproduces exactly.
// Built on the product's own PRNG (src/rl/rng.ts) so there is one generator to trust.

import { Rng } from '../../../src/rl/rng';

export class Dice {
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return this.rng.int(n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.rng.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.rng.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.rng.int(items.length)]!;
  }

  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((s, [w]) => s + w, 0);
    let r = this.rng.random() * total;
    for (const [w, v] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1]![1];
  }

  /** Small sizes are common, large ones rare (log-uniform up to `max`). */
  size(max: number): number {
    return Math.floor(Math.exp(this.rng.random() * Math.log(max + 1)));
  }
}

/** Seed of input `index` of `target` in a run seeded `seed` (FNV-1a over the name, then mixed). */
export function inputSeed(seed: number, target: string, index: number): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < target.length; i++) h = Math.imul(h ^ target.charCodeAt(i), 0x01000193) >>> 0;
  return (Math.imul(h ^ index, 0x9e3779b1) ^ (index * 0x85ebca6b)) >>> 0;
}
