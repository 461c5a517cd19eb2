import type { BinStr } from './bytes.js';
import type { StoredEntry } from './entry.js';

/** Bits of the 32-bit ring position that pick a bucket: 2^16 buckets of 2^16 positions each. */
export const BUCKET_BITS = 16;
export const BUCKET_SPAN = 2 ** (32 - BUCKET_BITS);
const BUCKET_COUNT = 2 ** BUCKET_BITS;
/** One past the last ring position. */
export const RING_END = 2 ** 32;
/**
 * Deadline sums are kept in two parts, `ms = high * DEADLINE_SPLIT + low`, so each part stays an
 * exact integer: a deadline is below 2^53 (EXPIRE refuses more), its high part below 2^27, and
 * a bucket would need 2^26 keys with a TTL before either sum left the exact range. One sum of
 * whole deadlines (~2^41 each today) would round past about 4,000 keys in a bucket, and a single
 * far-future PXAT would make every later add and remove round.
 */
const DEADLINE_SPLIT = 2 ** 26;

/** What one bucket walk returns: the entries found and where the next walk should start. */
export interface BucketWalk {
  readonly entries: StoredEntry[];
  /** The next position to walk from; equals `to` when the range is finished. */
  readonly next: number;
}

/**
 * Keys grouped by the top bits of their ring position, so a range of the ring (a vnode's arc, a
 * SCAN page) is listed by visiting only its buckets, in position order, never every key.
 *
 * Each bucket is a dense array whose entries remember their index (`slot`), so adding and
 * removing (swap with the last) are O(1); a Fenwick tree over the bucket sizes finds the n-th key
 * in O(log buckets), which gives eviction its uniform random picks without a second array of all
 * keys. Arrays, not Sets: a Set costs about 33 B per key at a million keys, a dense array 8 B
 * plus its spare capacity. Capacity is kept here (doubling, halving), because push()'s first
 * growth reserves 17 slots, too many for the few keys a bucket holds in a small store.
 */
export class KeyBuckets {
  private readonly buckets = new Array<Array<StoredEntry | undefined> | undefined>(BUCKET_COUNT);
  private readonly sizes = new Uint32Array(BUCKET_COUNT);
  /** Per bucket, how many of its keys have a TTL (kept by retime), for countWithExpires(). */
  private readonly volatileCounts = new Uint32Array(BUCKET_COUNT);
  /** Per bucket, the sum of its keys' expiry deadlines in two exact parts (see DEADLINE_SPLIT). */
  private readonly deadlineHigh = new Float64Array(BUCKET_COUNT);
  private readonly deadlineLow = new Float64Array(BUCKET_COUNT);
  /** Fenwick tree over `sizes` (1-based): prefix sums and the n-th key in O(log buckets). */
  private readonly tree = new Uint32Array(BUCKET_COUNT + 1);
  private total = 0;

  /** `positionOf` is the ring's hash: entries do not keep their position (see StoredEntry). */
  constructor(private readonly positionOf: (key: BinStr) => number) {}

  get size(): number {
    return this.total;
  }

  /** Adds a detached entry and sets its `slot` (its index in its bucket). */
  add(entry: StoredEntry): void {
    const b = this.bucketOf(entry);
    const n = this.sizes[b]!;
    let items = this.buckets[b];
    if (items === undefined || n === items.length) items = this.resize(b, Math.max(MIN_BUCKET_CAPACITY, 2 * n));
    items[n] = entry;
    entry.slot = n;
    this.sizes[b] = n + 1;
    this.changeSize(b, 1);
  }

  /**
   * Removes an entry (a no-op when detached) and sets its `slot` to -1; `volatile`: it had a TTL,
   * which retime() counted at its current `expireAtMs`.
   */
  delete(entry: StoredEntry, volatile: boolean): void {
    const i = entry.slot;
    if (i < 0) return;
    const b = this.bucketOf(entry);
    const items = this.buckets[b];
    if (items === undefined || items[i] !== entry) return;
    if (volatile) this.addDeadline(b, entry.expireAtMs, -1);
    const last = this.sizes[b]! - 1;
    const moved = items[last]!;
    items[i] = moved;
    moved.slot = i;
    items[last] = undefined; // let the entry be collected
    entry.slot = -1;
    this.sizes[b] = last;
    this.changeSize(b, -1);
    if (last === 0) this.buckets[b] = undefined;
    else if (4 * last <= items.length && items.length > MIN_BUCKET_CAPACITY) this.resize(b, items.length >>> 1);
  }

  /** The key at `index` in [0, size), counting bucket by bucket: uniform picks for eviction. */
  at(index: number): StoredEntry | undefined {
    if (index < 0 || index >= this.total) return undefined;
    // Fenwick descent: the last bucket whose preceding buckets hold at most `index` keys.
    let b = 0;
    let rest = index;
    for (let step = BUCKET_COUNT; step > 0; step >>>= 1) {
      const next = b + step;
      if (next <= BUCKET_COUNT && this.tree[next]! <= rest) {
        b = next;
        rest -= this.tree[next]!;
      }
    }
    return this.buckets[b]?.[rest];
  }

  /** Keys with a position in [from, to): whole buckets by size, the partial ones entry by entry. */
  count(from: number, to: number): number {
    let n = 0;
    const end = Math.min(to, RING_END);
    for (let b = Math.floor(from / BUCKET_SPAN); b * BUCKET_SPAN < end; b++) {
      const n0 = this.sizes[b]!;
      if (n0 === 0) continue;
      const bucketStart = b * BUCKET_SPAN;
      if (bucketStart >= from && bucketStart + BUCKET_SPAN <= end) n += n0;
      else {
        const items = this.buckets[b]!;
        for (let i = 0; i < n0; i++) if (this.inRange(items[i]!, from, end)) n++;
      }
    }
    return n;
  }

  /** Records that a live key's expiry went from `fromMs` to `toMs` (0 = none), for its bucket's TTL figures. */
  retime(entry: StoredEntry, fromMs: number, toMs: number): void {
    const b = this.bucketOf(entry);
    if (fromMs > 0) this.addDeadline(b, fromMs, -1);
    if (toMs > 0) this.addDeadline(b, toMs, 1);
  }

  /**
   * Keys, keys with a TTL, and the sum of those keys' remaining TTLs at `nowMs` (an expired key
   * not collected yet counts negative) in [from, to) (DBSIZE, INFO keyspace), the same way as
   * count: whole buckets from their counters, the edge buckets key by key.
   */
  countWithExpires(from: number, to: number, nowMs: number): { keys: number; expires: number; ttlSumMs: number } {
    let keys = 0;
    let expires = 0;
    let ttlSumMs = 0;
    const end = Math.min(to, RING_END);
    for (let b = Math.floor(from / BUCKET_SPAN); b * BUCKET_SPAN < end; b++) {
      const n = this.sizes[b]!;
      if (n === 0) continue;
      const bucketStart = b * BUCKET_SPAN;
      if (bucketStart >= from && bucketStart + BUCKET_SPAN <= end) {
        const withTtl = this.volatileCounts[b]!;
        keys += n;
        expires += withTtl;
        // The two large terms cancel first, so what is added up is the small remainder.
        if (withTtl > 0) ttlSumMs += this.deadlineHigh[b]! * DEADLINE_SPLIT - withTtl * nowMs + this.deadlineLow[b]!;
        continue;
      }
      const items = this.buckets[b]!;
      for (let i = 0; i < n; i++) {
        const e = items[i]!;
        if (!this.inRange(e, from, end)) continue;
        keys++;
        if (e.expireAtMs > 0) {
          expires++;
          ttlSumMs += e.expireAtMs - nowMs;
        }
      }
    }
    return { keys, expires, ttlSumMs };
  }

  /**
   * Walks buckets in position order from `from`, collecting entries whose position is in
   * [from, to) and that pass `accept`. A bucket is always finished once started (a page boundary
   * is a bucket boundary, so the next page starts cleanly); the walk stops after the bucket in
   * which `wanted` entries were collected, `examineLimit` entries were looked at, or the keys
   * collected reached `maxKeyBytes` bytes (0: no bound).
   */
  walk(
    from: number,
    to: number,
    wanted: number,
    examineLimit: number,
    accept: (entry: StoredEntry) => boolean,
    maxKeyBytes = 0,
  ): BucketWalk {
    const entries: StoredEntry[] = [];
    let examined = 0;
    let keyBytes = 0;
    const end = Math.min(to, RING_END);
    for (let b = Math.floor(from / BUCKET_SPAN); b * BUCKET_SPAN < end; b++) {
      const n = this.sizes[b]!;
      const bucketStart = b * BUCKET_SPAN;
      const bucketEnd = bucketStart + BUCKET_SPAN;
      if (n > 0) {
        // Only the first and last buckets of the range need the exact position test.
        const partial = bucketStart < from || bucketEnd > end;
        const items = this.buckets[b]!;
        for (let i = 0; i < n; i++) {
          const e = items[i]!;
          if (partial && !this.inRange(e, from, end)) continue;
          examined++;
          if (accept(e)) {
            entries.push(e);
            keyBytes += e.key.length;
          }
        }
        if (entries.length >= wanted || examined >= examineLimit || (maxKeyBytes > 0 && keyBytes >= maxKeyBytes)) {
          return { entries, next: Math.min(bucketEnd, to) };
        }
      }
    }
    return { entries, next: to };
  }

  /** Adds (sign 1) or removes (sign -1) one key with a TTL at `ms` from bucket `b`'s figures. */
  private addDeadline(b: number, ms: number, sign: 1 | -1): void {
    const high = Math.floor(ms / DEADLINE_SPLIT);
    this.volatileCounts[b]! += sign;
    this.deadlineHigh[b]! += sign * high;
    this.deadlineLow[b]! += sign * (ms - high * DEADLINE_SPLIT);
  }

  private bucketOf(entry: StoredEntry): number {
    return this.positionOf(entry.key) >>> (32 - BUCKET_BITS);
  }

  /** Whether an entry's ring position is in [from, end). */
  private inRange(entry: StoredEntry, from: number, end: number): boolean {
    const pos = this.positionOf(entry.key) >>> 0;
    return pos >= from && pos < end;
  }

  /** Gives bucket `b` a new array of `capacity` slots holding its current entries. */
  private resize(b: number, capacity: number): Array<StoredEntry | undefined> {
    const old = this.buckets[b];
    const items = new Array<StoredEntry | undefined>(capacity);
    for (let i = 0; i < this.sizes[b]!; i++) items[i] = old![i];
    this.buckets[b] = items;
    return items;
  }

  private changeSize(b: number, delta: 1 | -1): void {
    this.total += delta;
    for (let i = b + 1; i <= BUCKET_COUNT; i += i & -i) this.tree[i]! += delta;
  }
}

/** The smallest array a bucket gets: most buckets of a small store hold a key or two. */
const MIN_BUCKET_CAPACITY = 2;

