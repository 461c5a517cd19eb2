// Deterministic inputs for the codec tests, so a failure replays.

/** A linear congruential generator: numbers in [0, 1) from `seed`. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A binary string of up to `max` random bytes. */
export const binOf = (rand: () => number, max: number): string =>
  String.fromCharCode(...Array.from({ length: Math.floor(rand() * max) }, () => Math.floor(rand() * 256)));
