import type { BinStr } from './bytes.js';
import { EntryArray } from './entry-array.js';
import type { StoredEntry } from './entry.js';
import type { SamplePool } from './eviction.js';
import { type BucketWalk, KeyBuckets } from './key-buckets.js';
import { entryOverheadBytes } from './memory.js';
import { TouchTimes } from './touch-times.js';

/** The LRU clock counts modulo 2^30 (see touch). */
const LRU_CLOCK_MASK = 2 ** 30 - 1;

/**
 * The indexes over live entries, kept in step: key -> entry, the ring-position buckets (which
 * also give uniform picks of all keys, and per bucket the count and deadline sum of keys with a
 * TTL), the keys-with-TTL sampling array, the memory total, and the LRU clock with the times
 * its stamps were handed out (TouchTimes). Time comes in as arguments; it knows nothing of
 * versions or tombstones. The Store decides what goes in and out.
 */
export class Keyspace {
  readonly volatile = new EntryArray();
  private readonly map = new Map<BinStr, StoredEntry>();
  private readonly touchTimes = new TouchTimes();
  private readonly buckets: KeyBuckets;
  private bytes = 0;

  /** `hashKey` gives a key's ring position; the LRU clock starts at 0 (tests start it near the wrap). */
  constructor(
    hashKey: (key: BinStr) => number,
    private lruClock = 0,
  ) {
    this.buckets = new KeyBuckets(hashKey);
  }

  get size(): number {
    return this.map.size;
  }

  /** Every live key, for uniform random picks (eviction): `size` and `at(index)`. */
  get all(): SamplePool {
    return this.buckets;
  }

  get usedMemory(): number {
    return this.bytes;
  }

  find(key: BinStr): StoredEntry | undefined {
    return this.map.get(key);
  }

  /**
   * Marks the entry as the most recently used (approximate LRU compares these stamps). The clock
   * wraps at 2^30, so every stamp stays a small integer: past 2^31 V8 would turn the field into
   * a 16 B heap number on every key (after about six hours at 100k commands a second).
   */
  touch(e: StoredEntry): void {
    this.lruClock = (this.lruClock + 1) & LRU_CLOCK_MASK;
    e.lru = this.lruClock;
  }

  /** Records that the stamps handed out from now on come at `nowMs` or later (TouchTimes). */
  markTime(nowMs: number): void {
    this.touchTimes.note((this.lruClock + 1) & LRU_CLOCK_MASK, nowMs);
  }

  /** Touches since the entry was last used, modulo the clock's wrap (larger = less recent). */
  idleTouches(e: StoredEntry): number {
    return (this.lruClock - e.lru) & LRU_CLOCK_MASK;
  }

  /** Ms since the entry was last used, to within a second (TouchTimes). */
  idleMs(e: StoredEntry, nowMs: number): number {
    // Ages count back from the next stamp: the newest mark may name it (markTime).
    return this.touchTimes.idleMs(e.lru, (this.lruClock + 1) & LRU_CLOCK_MASK, nowMs);
  }

  insert(e: StoredEntry): void {
    this.map.set(e.key, e);
    this.buckets.add(e);
    if (e.expireAtMs > 0) {
      this.volatile.add(e);
      this.buckets.retime(e, 0, e.expireAtMs);
    }
    this.touch(e);
    this.charge(e);
  }

  /** Takes the entry out of every index and returns its bytes; it becomes detached. */
  detach(e: StoredEntry): void {
    this.map.delete(e.key);
    this.buckets.delete(e, e.ttlSlot >= 0);
    this.volatile.delete(e);
    this.bytes -= e.charged;
    e.charged = 0;
  }

  /** Re-charges a live entry after its value changed: key + value bytes + fixed overhead. */
  charge(e: StoredEntry): void {
    const bytes = entryOverheadBytes(e.type) + e.key.length + e.value.bytes;
    this.bytes += bytes - e.charged;
    e.charged = bytes;
  }

  /**
   * Sets (ms > 0) or clears (0) a key's expiry. The only way a live entry's `expireAtMs` may
   * change: the keys-with-TTL array and the buckets' TTL counts and deadline sums follow it here.
   * A detached entry only takes the value; insert() registers it.
   */
  setExpireAt(e: StoredEntry, expireAtMs: number): void {
    const was = e.expireAtMs;
    e.expireAtMs = expireAtMs;
    if (e.slot < 0 || was === expireAtMs) return;
    if (was === 0) this.volatile.add(e);
    else if (expireAtMs === 0) this.volatile.delete(e);
    this.buckets.retime(e, was, expireAtMs);
  }

  /** Keys, keys with a TTL and the sum of their remaining TTLs at `nowMs`, in [from, to). */
  countWithExpires(from: number, to: number, nowMs: number): { keys: number; expires: number; ttlSumMs: number } {
    return this.buckets.countWithExpires(from, to, nowMs);
  }

  /** Keys whose ring position is in [from, to) (expired ones not yet collected included). */
  countRange(from: number, to: number): number {
    return this.buckets.count(from, to);
  }

  walk(
    from: number,
    to: number,
    wanted: number,
    examineLimit: number,
    accept: (e: StoredEntry) => boolean,
    maxKeyBytes = 0,
  ): BucketWalk {
    return this.buckets.walk(from, to, wanted, examineLimit, accept, maxKeyBytes);
  }
}
