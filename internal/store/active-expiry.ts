import type { Clock, Random, TimerHandle } from '../clock/index.js';
import type { EntryArray } from './entry-array.js';
import type { StoredEntry } from './entry.js';

export interface ExpireCycleResult {
  readonly rounds: number;
  readonly sampled: number;
  readonly expired: number;
  readonly tombstonesPruned: number;
  /** The cycle stopped on its time budget while keys were still expiring fast. */
  readonly timedOut: boolean;
  /** Still over maxMemoryBytes after the cycle's chunk of evictions. */
  readonly evicting: boolean;
}

export interface ExpireCycleInput {
  readonly clock: Clock;
  readonly random: Random;
  /** The keys with a TTL. */
  readonly volatile: EntryArray;
  /** Deletes an expired entry (tombstone, counters, listener). */
  readonly expire: (e: StoredEntry) => void;
  readonly samples: number;
  readonly maxRounds: number;
}

/**
 * Redis's active expiry: sample `samples` keys with a TTL, delete the expired ones, and go on
 * while more than a quarter of a sample was expired (many more are likely) and the monotonic
 * time budget lasts. Never a full sweep: the work is bounded by budget and rounds.
 */
export function runExpireCycle(
  input: ExpireCycleInput,
  budgetMs: number,
): Omit<ExpireCycleResult, 'tombstonesPruned' | 'evicting'> {
  const { clock, random, volatile, expire, samples, maxRounds } = input;
  const start = clock.monotonic();
  const now = clock.now();
  let rounds = 0;
  let sampled = 0;
  let expired = 0;
  let timedOut = false;
  while (volatile.size > 0 && rounds < maxRounds) {
    rounds++;
    const n = Math.min(samples, volatile.size);
    let hits = 0;
    for (let i = 0; i < n && volatile.size > 0; i++) {
      // Sampling with replacement: an entry drawn twice is cheap and keeps the pick O(1).
      const e = volatile.at(random.int(volatile.size))!;
      sampled++;
      if (e.expireAtMs <= now) {
        expire(e);
        hits++;
      }
    }
    expired += hits;
    if (hits * 4 <= n) break;
    if (clock.monotonic() - start >= budgetMs) {
      timedOut = true;
      break;
    }
  }
  return { rounds, sampled, expired, timedOut };
}

/** What the scheduler drives; the Store satisfies it. */
export interface ExpiringStore {
  activeExpireCycle(budgetMs: number): ExpireCycleResult;
}

/**
 * Runs `store.activeExpireCycle(budgetMs)` every `intervalMs` (`maintenance.cleanup_interval`)
 * on the injected clock. Returns a stop function that clears the pending timer; `onCycle` sees
 * each result (metrics, logs).
 */
export function startActiveExpiry(
  store: ExpiringStore,
  clock: Clock,
  intervalMs: number,
  budgetMs: number,
  onCycle?: (result: ExpireCycleResult) => void,
): () => void {
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = (): void => {
    timer = undefined;
    const result = store.activeExpireCycle(budgetMs);
    onCycle?.(result);
    // A cycle cut short by its budget or its eviction chunk left a backlog: come back after
    // 1 ms, not a full interval.
    if (!stopped) timer = clock.setTimeout(tick, result.timedOut || result.evicting ? 1 : periodMs);
  };
  const periodMs = Math.max(1, intervalMs);
  timer = clock.setTimeout(tick, periodMs);
  return () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
}
