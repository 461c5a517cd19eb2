import type { StoredEntry } from './entry.js';

/** Bits of the 32-bit ring position that pick a bucket: 2^16 buckets of 2^16 positions each. */
export const BUCKET_BITS = 16;
export const BUCKET_SPAN = 2 ** (32 - BUCKET_BITS);
const BUCKET_COUNT = 2 ** BUCKET_BITS;
/** One past the last ring position. */
export const RING_END = 2 ** 32;

/** What one bucket walk returns: the entries found and where the next walk should start. */
export interface BucketWalk {
  readonly entries: StoredEntry[];
  /** The next position to walk from; equals `to` when the range is finished. */
  readonly next: number;
}

/**
 * Keys grouped by the top bits of their ring position, so a range of the ring (a vnode's arc, a
 * SCAN page) is listed by visiting only its buckets, in position order, never every key.
 * Buckets are created on first use and dropped when they empty.
 */
export class KeyBuckets {
  private readonly buckets = new Array<Set<StoredEntry> | undefined>(BUCKET_COUNT);
  /** Per bucket, how many of its keys have a TTL (kept by Keyspace.syncTtl), for count(). */
  private readonly volatileCounts = new Uint32Array(BUCKET_COUNT);

  add(entry: StoredEntry): void {
    const b = bucketOf(entry);
    let set = this.buckets[b];
    if (set === undefined) {
      set = new Set();
      this.buckets[b] = set;
    }
    set.add(entry);
  }

  delete(entry: StoredEntry): void {
    const b = bucketOf(entry);
    const set = this.buckets[b];
    if (set === undefined) return;
    set.delete(entry);
    if (set.size === 0) this.buckets[b] = undefined;
  }

  /** Keys with a position in [from, to): whole buckets by size, the partial ones entry by entry. */
  count(from: number, to: number): number {
    let n = 0;
    const end = Math.min(to, RING_END);
    for (let b = Math.floor(from / BUCKET_SPAN); b * BUCKET_SPAN < end; b++) {
      const set = this.buckets[b];
      if (set === undefined) continue;
      const bucketStart = b * BUCKET_SPAN;
      if (bucketStart >= from && bucketStart + BUCKET_SPAN <= end) n += set.size;
      else for (const e of set) if (inRange(e, from, end)) n++;
    }
    return n;
  }

  /** Records that a key of this bucket gained (true) or lost (false) its TTL. */
  markVolatile(entry: StoredEntry, on: boolean): void {
    this.volatileCounts[bucketOf(entry)]! += on ? 1 : -1;
  }

  /** Keys and keys with a TTL in [from, to) (DBSIZE, INFO keyspace), the same way as count. */
  countWithExpires(from: number, to: number): { keys: number; expires: number } {
    let keys = 0;
    let expires = 0;
    const end = Math.min(to, RING_END);
    for (let b = Math.floor(from / BUCKET_SPAN); b * BUCKET_SPAN < end; b++) {
      const set = this.buckets[b];
      if (set === undefined) continue;
      const bucketStart = b * BUCKET_SPAN;
      if (bucketStart >= from && bucketStart + BUCKET_SPAN <= end) {
        keys += set.size;
        expires += this.volatileCounts[b]!;
        continue;
      }
      for (const e of set) {
        if (!inRange(e, from, end)) continue;
        keys++;
        if (e.expireAtMs > 0) expires++;
      }
    }
    return { keys, expires };
  }

  /**
   * Walks buckets in position order from `from`, collecting entries whose position is in
   * [from, to) and that pass `accept`. A bucket is always finished once started (a page boundary
   * is a bucket boundary, so the next page starts cleanly); the walk stops after the bucket in
   * which `wanted` entries were collected or `examineLimit` entries were looked at.
   */
  walk(
    from: number,
    to: number,
    wanted: number,
    examineLimit: number,
    accept: (entry: StoredEntry) => boolean,
  ): BucketWalk {
    const entries: StoredEntry[] = [];
    let examined = 0;
    const end = Math.min(to, RING_END);
    for (let b = Math.floor(from / BUCKET_SPAN); b * BUCKET_SPAN < end; b++) {
      const set = this.buckets[b];
      const bucketStart = b * BUCKET_SPAN;
      const bucketEnd = bucketStart + BUCKET_SPAN;
      if (set !== undefined) {
        // Only the first and last buckets of the range need the exact position test.
        const partial = bucketStart < from || bucketEnd > end;
        for (const e of set) {
          if (partial && !inRange(e, from, end)) continue;
          examined++;
          if (accept(e)) entries.push(e);
        }
        if (entries.length >= wanted || examined >= examineLimit) {
          return { entries, next: Math.min(bucketEnd, to) };
        }
      }
    }
    return { entries, next: to };
  }
}

/** The bucket of an entry (its stored position is a signed int32: see StoredEntry.pos). */
const bucketOf = (entry: StoredEntry): number => entry.pos >>> (32 - BUCKET_BITS);

/** Whether an entry's uint32 ring position is in [from, end). */
function inRange(entry: StoredEntry, from: number, end: number): boolean {
  const pos = entry.pos >>> 0;
  return pos >= from && pos < end;
}
