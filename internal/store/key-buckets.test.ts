import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import type { StoredEntry } from './entry.js';
import { HashValue } from './hash-value.js';
import { BUCKET_SPAN, KeyBuckets, RING_END } from './key-buckets.js';

/** Test keys carry their ring position: `@<position>` or `@<position>:<tag>`. */
const positionOf = (key: string): number => Number(/^@(\d+)/.exec(key)![1]);
const entryAt = (position: number, tag?: string): StoredEntry =>
  new HashValue(tag === undefined ? `@${position}` : `@${position}:${tag}`);

/** Every entry at(0..size-1) returns, as a set; fails on a repeat or a hole. */
function picks(buckets: KeyBuckets): Set<StoredEntry> {
  const seen = new Set<StoredEntry>();
  for (let i = 0; i < buckets.size; i++) {
    const e = buckets.at(i);
    expect(e).toBeDefined();
    expect(seen.has(e!)).toBe(false);
    seen.add(e!);
  }
  return seen;
}

describe('KeyBuckets', () => {
  it('indexes every live key once, through adds and swap-removals, with slots in step', () => {
    const random = new SeededRandom(11);
    const buckets = new KeyBuckets(positionOf);
    const live = new Set<StoredEntry>();
    for (let round = 0; round < 4000; round++) {
      if (live.size > 0 && random.int(3) === 0) {
        const victim = [...live][random.int(live.size)]!;
        buckets.delete(victim, false);
        live.delete(victim);
        expect(victim.slot).toBe(-1);
      } else {
        // A third of the keys crowd into 3 buckets (growth and shrinking), the rest anywhere,
        // including both ends of the ring and positions above 2^31 (negative as int32).
        const pos = random.int(3) === 0 ? random.int(3) * BUCKET_SPAN + random.int(BUCKET_SPAN) : random.int(RING_END);
        const e = entryAt(pos, `k${round}`);
        buckets.add(e);
        live.add(e);
        expect(e.slot).toBeGreaterThanOrEqual(0);
      }
      if (round % 500 === 0) expect(picks(buckets)).toEqual(live);
    }
    expect(buckets.size).toBe(live.size);
    expect(picks(buckets)).toEqual(live);
    expect(buckets.count(0, RING_END)).toBe(live.size);
    expect(buckets.at(-1)).toBeUndefined();
    expect(buckets.at(buckets.size)).toBeUndefined();
  });

  it('ignores removing a detached entry, and a detached one with a stale slot', () => {
    const buckets = new KeyBuckets(positionOf);
    const a = entryAt(5);
    const b = entryAt(6);
    buckets.add(a);
    buckets.delete(b, false); // never added
    expect(buckets.size).toBe(1);
    buckets.delete(a, false);
    buckets.delete(a, false); // already gone
    expect(buckets.size).toBe(0);
    expect(buckets.at(0)).toBeUndefined();
  });

  it('picks keys uniformly whatever their buckets hold', () => {
    const buckets = new KeyBuckets(positionOf);
    const crowded = Array.from({ length: 50 }, (_, i) => entryAt(7, `c${i}`)); // one bucket
    const spread = Array.from({ length: 50 }, (_, i) => entryAt((i + 1) * 40 * BUCKET_SPAN + 3, `s${i}`));
    for (const e of [...crowded, ...spread]) buckets.add(e);
    const random = new SeededRandom(3);
    let fromCrowded = 0;
    for (let i = 0; i < 20_000; i++) if (crowded.includes(buckets.at(random.int(buckets.size))!)) fromCrowded++;
    // Half the keys are in the crowded bucket, so half the picks (a per-bucket pick would give 1/51).
    expect(fromCrowded / 20_000).toBeGreaterThan(0.45);
    expect(fromCrowded / 20_000).toBeLessThan(0.55);
  });

  it('walks a range in position order of buckets, with the positions above 2^31', () => {
    const buckets = new KeyBuckets(positionOf);
    const high = entryAt(RING_END - 1);
    const low = entryAt(0);
    const mid = entryAt(2 ** 31 + 5);
    for (const e of [high, low, mid]) buckets.add(e);
    expect(buckets.walk(0, RING_END, 10, 100, () => true).entries).toEqual([low, mid, high]);
    expect(buckets.walk(2 ** 31, RING_END - 1, 10, 100, () => true).entries).toEqual([mid]);
    expect(buckets.countWithExpires(2 ** 31, RING_END, 0)).toEqual({ keys: 2, expires: 0, ttlSumMs: 0 });
  });
});
