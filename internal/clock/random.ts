/** Chance as an input: peer choice, jitter and sampling draw from a Random. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/** Math.random, for production. */
export const systemRandom: Random = {
  next: () => Math.random(),
  int: (n) => Math.floor(Math.random() * n),
};

/** A small, fast, seeded generator (mulberry32) so tests and simulations repeat exactly. */
export class SeededRandom implements Random {
  private state: number;

  constructor(seed = 1) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Picks up to `count` distinct items from `items` (partial Fisher-Yates on a copy). */
export function sample<T>(items: readonly T[], count: number, random: Random): T[] {
  const copy = items.slice();
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + random.int(copy.length - i);
    const tmp = copy[i]!;
    copy[i] = copy[j]!;
    copy[j] = tmp;
  }
  return copy.slice(0, n);
}
