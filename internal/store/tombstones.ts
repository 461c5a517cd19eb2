import type { BinStr } from './bytes.js';
import type { Tombstone } from './entry.js';
import { RING_END } from './key-buckets.js';
import { TOMBSTONE_OVERHEAD_BYTES } from './memory.js';
import { highOf, joinHalves, lowOf } from './small-halves.js';

/** Bits of the ring position that pick a tombstone's bucket: 4096 buckets of 2^20 positions. */
const BUCKET_BITS = 12;
const BUCKET_SPAN = 2 ** (32 - BUCKET_BITS);

/** A tombstone as held here: both times as small-integer halves (see small-halves.ts). */
class Held implements Tombstone {
  private readonly versionHigh: number;
  private readonly versionLow: number;
  private readonly deletedHigh: number;
  private readonly deletedLow: number;

  constructor(
    version: number,
    deletedAtMs: number,
    /** The bucket (top bits of the key's ring position) whose set lists the key. */
    readonly bucket: number,
  ) {
    this.versionHigh = highOf(version);
    this.versionLow = lowOf(version, this.versionHigh);
    this.deletedHigh = highOf(deletedAtMs);
    this.deletedLow = lowOf(deletedAtMs, this.deletedHigh);
  }

  get version(): number {
    return joinHalves(this.versionHigh, this.versionLow);
  }

  get deletedAtMs(): number {
    return joinHalves(this.deletedHigh, this.deletedLow);
  }
}

/**
 * Versions of recently deleted keys, oldest deletion first. A Map iterates in insertion order and
 * a re-deleted key is moved to the end, so pruning reads only the head: each prune call is
 * bounded by its chunk size and never walks live tombstones.
 *
 * The keys are also grouped by ring position (coarser buckets than the live keys'), so that a
 * hand-off can carry the deletions of an arc to a member that missed them (one cut off or down
 * while they happened), without walking every tombstone for every arc.
 */
export class Tombstones {
  private readonly map = new Map<BinStr, Held>();
  private readonly buckets = new Array<Set<BinStr> | undefined>(2 ** BUCKET_BITS);
  private byteCount = 0;

  /** `positionOf` is the ring's hash (as KeyBuckets takes it). */
  constructor(private readonly positionOf: (key: BinStr) => number) {}

  get size(): number {
    return this.map.size;
  }

  /** Estimated bytes held by tombstones (see memory.ts). */
  get bytes(): number {
    return this.byteCount;
  }

  get(key: BinStr): Tombstone | undefined {
    return this.map.get(key);
  }

  set(key: BinStr, version: number, deletedAtMs: number): void {
    this.delete(key);
    const bucket = Math.floor(this.positionOf(key) / BUCKET_SPAN);
    this.map.set(key, new Held(version, deletedAtMs, bucket));
    let keys = this.buckets[bucket];
    if (keys === undefined) this.buckets[bucket] = keys = new Set();
    keys.add(key);
    this.byteCount += key.length + TOMBSTONE_OVERHEAD_BYTES;
  }

  delete(key: BinStr): void {
    const held = this.map.get(key);
    if (held === undefined) return;
    this.map.delete(key);
    this.buckets[held.bucket]!.delete(key);
    this.byteCount -= key.length + TOMBSTONE_OVERHEAD_BYTES;
  }

  /** Keys with a tombstone whose ring position is in [from, to), in no particular order. */
  keysInRange(from: number, to: number): BinStr[] {
    const out: BinStr[] = [];
    const end = Math.min(to, RING_END);
    for (let b = Math.floor(from / BUCKET_SPAN); b * BUCKET_SPAN < end; b++) {
      const keys = this.buckets[b];
      if (keys === undefined || keys.size === 0) continue;
      const whole = b * BUCKET_SPAN >= from && (b + 1) * BUCKET_SPAN <= end;
      for (const key of keys) {
        if (whole) out.push(key);
        else {
          const p = this.positionOf(key);
          if (p >= from && p < end) out.push(key);
        }
      }
    }
    return out;
  }

  /**
   * Drops up to `max` tombstones deleted at or before `olderThanMs`, from the oldest, and stops
   * once they hold `keepBytes` or less (0: drop every old one). Stops at the first younger one
   * too (times are monotonic, so none behind it is older). Returns how many went, and how many
   * of them were deleted after `dueMs` (dropped before their retention ended).
   *
   * Each call walks from the Map's first slot, stepping over the slots pruned since V8 last
   * compacted the table (up to its capacity: about 40 us at 65k tombstones), so callers prune
   * in chunks, not one tombstone a call.
   */
  prune(olderThanMs: number, max: number, keepBytes = 0, dueMs = olderThanMs): { pruned: number; early: number } {
    let pruned = 0;
    let early = 0;
    for (const [key, t] of this.map) {
      if (pruned >= max || this.byteCount <= keepBytes || t.deletedAtMs > olderThanMs) break;
      if (t.deletedAtMs > dueMs) early++;
      this.delete(key);
      pruned++;
    }
    return { pruned, early };
  }

  /** When the oldest tombstone was deleted; undefined when there is none. */
  oldestDeletedAtMs(): number | undefined {
    for (const t of this.map.values()) return t.deletedAtMs;
    return undefined;
  }
}
