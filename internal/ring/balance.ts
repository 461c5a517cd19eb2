import { HASH_SPACE } from './ring.js';
import type { Ring } from './ring.js';

/** How evenly a ring spreads leadership over its members. */
export interface Balance {
  /** Each member's share of hash space as leader, a fraction in [0, 1]; the shares sum to 1. */
  readonly shares: ReadonlyMap<string, number>;
  /** The largest share over the mean share (1 / members); 1 is perfect, 0 for an empty ring. */
  readonly maxOverMean: number;
  /** The smallest share over the mean share; 0 for an empty ring. */
  readonly minOverMean: number;
}

/** Measures leader balance exactly, from the lengths of the arcs each member leads. */
export function measureBalance(ring: Ring): Balance {
  const shares = new Map<string, number>();
  let max = 0;
  let min = Number.POSITIVE_INFINITY;
  for (const id of ring.members) {
    let length = 0;
    for (const [from, to] of ring.ownedRanges(id)) length += to - from;
    const share = length / HASH_SPACE;
    shares.set(id, share);
    max = Math.max(max, share);
    min = Math.min(min, share);
  }
  const mean = ring.size === 0 ? 0 : 1 / ring.size;
  return {
    shares,
    maxOverMean: mean === 0 ? 0 : max / mean,
    minOverMean: mean === 0 ? 0 : min / mean,
  };
}
