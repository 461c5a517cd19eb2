import type { BinStr } from './bytes.js';
import type { Tombstone } from './entry.js';
import { TOMBSTONE_OVERHEAD_BYTES } from './memory.js';

/**
 * Versions of recently deleted keys, oldest deletion first. A Map iterates in insertion order and
 * a re-deleted key is moved to the end, so pruning reads only the head: each prune call is
 * bounded by its chunk size and never walks live tombstones.
 */
export class Tombstones {
  private readonly map = new Map<BinStr, Tombstone>();
  private byteCount = 0;

  get size(): number {
    return this.map.size;
  }

  /** Estimated bytes held by tombstones (reported apart from keys; never evicted for). */
  get bytes(): number {
    return this.byteCount;
  }

  get(key: BinStr): Tombstone | undefined {
    return this.map.get(key);
  }

  set(key: BinStr, version: number, deletedAtMs: number): void {
    this.delete(key);
    this.map.set(key, { version, deletedAtMs });
    this.byteCount += key.length + TOMBSTONE_OVERHEAD_BYTES;
  }

  delete(key: BinStr): void {
    if (this.map.delete(key)) this.byteCount -= key.length + TOMBSTONE_OVERHEAD_BYTES;
  }

  /**
   * Drops up to `max` tombstones deleted at or before `olderThanMs`, from the oldest. Stops at the
   * first younger one (a wall clock stepping back only delays pruning). Returns how many went.
   */
  prune(olderThanMs: number, max: number): number {
    let pruned = 0;
    for (const [key, t] of this.map) {
      if (pruned >= max || t.deletedAtMs > olderThanMs) break;
      this.map.delete(key);
      this.byteCount -= key.length + TOMBSTONE_OVERHEAD_BYTES;
      pruned++;
    }
    return pruned;
  }
}
