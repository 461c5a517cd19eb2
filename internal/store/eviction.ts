import type { Random } from '../clock/index.js';
import type { StoredEntry } from './entry.js';
import type { EvictionPolicy } from './options.js';

/** Keys to sample from: `at(i)` for i in [0, size) (all keys, or the keys with a TTL). */
export interface SamplePool {
  readonly size: number;
  at(index: number): StoredEntry | undefined;
}

/**
 * Chooses the key to evict, or undefined when the policy allows none (noeviction, or no key with
 * a TTL under volatile-lru). LRU is approximate as in Redis: the least recently used of `samples`
 * random keys, which is close to true LRU at a fraction of the bookkeeping.
 */
export function pickVictim(
  policy: EvictionPolicy,
  all: SamplePool,
  volatile: SamplePool,
  samples: number,
  random: Random,
  idleTouches: (e: StoredEntry) => number,
): StoredEntry | undefined {
  switch (policy) {
    case 'noeviction':
      return undefined;
    case 'allkeys-random':
      return all.size === 0 ? undefined : all.at(random.int(all.size));
    case 'allkeys-lru':
      return leastRecent(all, samples, random, idleTouches);
    case 'volatile-lru':
      return leastRecent(volatile, samples, random, idleTouches);
  }
}

function leastRecent(
  pool: SamplePool,
  samples: number,
  random: Random,
  idleTouches: (e: StoredEntry) => number,
): StoredEntry | undefined {
  if (pool.size === 0) return undefined;
  let best: StoredEntry | undefined;
  let bestIdle = -1;
  // Sampling with replacement: cheap, and a repeat only wastes one of the samples.
  for (let i = 0; i < Math.max(1, samples); i++) {
    const e = pool.at(random.int(pool.size));
    if (e === undefined) continue;
    const idle = idleTouches(e);
    if (idle > bestIdle) {
      best = e;
      bestIdle = idle;
    }
  }
  return best;
}
