import type { Random } from '../clock/index.js';
import type { BinStr } from './bytes.js';
import type { HashValue } from './hash-value.js';

/**
 * Redis's hash-max-listpack-entries (512 in redis-server 7.0.15 started without a config file;
 * the redis.conf it ships sets 128): the most fields of a hash in its small encoding. OBJECT
 * ENCODING reports by it, and HSCAN answers a hash of at most this many fields whole, with
 * cursor "0", as Redis answers one in that encoding.
 */
export const REDIS_HASH_LISTPACK_MAX_FIELDS = 512;
export const WHOLE_HSCAN_MAX_FIELDS = REDIS_HASH_LISTPACK_MAX_FIELDS;

export interface HashScanLimits {
  /** Scans kept open at once; opening one more drops the one used least recently. */
  readonly maxOpen: number;
  /** A scan not continued for this long is dropped. */
  readonly idleMs: number;
}

export const DEFAULT_HASH_SCAN_LIMITS: HashScanLimits = { maxOpen: 1024, idleMs: 5 * 60_000 };

/**
 * The largest page kept to be served again (a client's retry): its field names, one pointer
 * each. 1024 scans at COUNT 100,000 held 940 MB no limit counted; at this bound they hold
 * about 8 MB. A larger page asked again is refused as an unknown cursor (start again), never
 * skipped silently.
 */
export const REPLAY_MAX_FIELDS = 1024;

/** One HSCAN page: flat [field, value, ...] pairs and the cursor to continue from ("0": done). */
export interface HashScanPage {
  readonly pairs: BinStr[];
  readonly next: string;
}

interface OpenScan {
  readonly key: BinStr;
  /** The page served last, asked with `asked`: asked again (a client's retry), it is served again. */
  last: { readonly asked: string; readonly fields: readonly BinStr[]; readonly next: string } | undefined;
  /** The hash walked; undefined once released (the key was deleted or replaced meanwhile). */
  hash: HashValue | undefined;
  fields: Iterator<[BinStr, BinStr]> | undefined;
  /** The field after the last page, read ahead to tell "done" without an empty last page. */
  ahead: BinStr | undefined;
  /** Monotonic ms (Clock.monotonic): only compared with other readings of it. */
  lastUsedMs: number;
}

/**
 * Where each HSCAN of a large hash stopped, between calls. A JS Map iterator is live: it skips
 * pairs deleted before it reaches them and visits pairs added after it started, so a scan
 * resumed from its iterator returns every field present for the whole scan exactly once, which
 * is more than Redis promises (at least once). Nothing per field is stored for this: the cost is
 * one small object per open scan, bounded by `maxOpen` and `idleMs`, and the field names of its
 * last page, for a page of at most REPLAY_MAX_FIELDS (below).
 *
 * A cursor names one page of an open scan on this node only: each page hands out a new one, and
 * the cursor a page was asked with, asked again, gets that page again (its fields, with their
 * values as they are now) and the same next cursor, as a Redis cursor does. A client library
 * that resends an unanswered HSCAN (redis-py's retry, ioredis after a reconnect) would
 * otherwise skip a page without an error: with one cursor per scan, 100 of 2000 fields went
 * missing so. A cursor that is unknown here (dropped, or opened on another node before the
 * key's leader changed) cannot be resumed: `page` returns undefined and HSCAN says to start
 * again. A hash replaced under a scan (deleted and written again, or merged from another node)
 * is walked again from its start: fields may repeat, none is missed.
 */
export class HashScans {
  /** Open scans by the cursor that continues them, least recently used first (a page moves its scan to the end). */
  private readonly open = new Map<string, OpenScan>();
  /** Scans by the cursor their last page was asked with (finished ones too), to serve it again. */
  private readonly served = new Map<string, OpenScan>();
  private nextCursor: number;

  constructor(
    random: Random,
    private readonly limits: HashScanLimits = DEFAULT_HASH_SCAN_LIMITS,
  ) {
    // A random start, so a cursor kept across a restart is unlikely to name another scan.
    this.nextCursor = 1 + random.int(2 ** 48);
  }

  get size(): number {
    return this.open.size;
  }

  /**
   * Up to `count` pairs of `hash`, the live hash at `key`, from where `cursor` stopped ("0"
   * starts). A small hash comes whole. Undefined: `cursor` is not an open scan of `key` here.
   */
  page(key: BinStr, hash: HashValue, cursor: string, count: number, nowMs: number): HashScanPage | undefined {
    this.dropIdle(nowMs);
    let scan: OpenScan | undefined;
    if (cursor !== '0') {
      scan = this.open.get(cursor);
      if (scan === undefined || scan.key !== key) {
        const again = this.served.get(cursor);
        if (again !== undefined && again.key === key && hash.size > WHOLE_HSCAN_MAX_FIELDS) return this.again(cursor, again, hash, nowMs);
        // Redis answers a small hash whole from any cursor; a large one needs its scan.
        return hash.size <= WHOLE_HSCAN_MAX_FIELDS ? { pairs: hash.toFlat(), next: '0' } : undefined;
      }
      this.open.delete(cursor);
    }
    if (scan === undefined || scan.hash !== hash) {
      if (hash.size <= WHOLE_HSCAN_MAX_FIELDS) return { pairs: hash.toFlat(), next: '0' };
      scan ??= { key, last: undefined, hash, fields: undefined, ahead: undefined, lastUsedMs: nowMs };
      scan.hash = hash;
      scan.fields = hash.entries();
      scan.ahead = undefined;
    }
    const pairs = this.take(scan, hash, count);
    const next = scan.ahead === undefined ? '0' : String(this.nextCursor++);
    scan.lastUsedMs = nowMs;
    if (scan.last !== undefined) this.served.delete(scan.last.asked);
    scan.last = undefined;
    if (cursor !== '0' && pairs.length <= 2 * REPLAY_MAX_FIELDS) {
      // A first page asked again starts a new scan, which comes to the same.
      scan.last = { asked: cursor, fields: pairs.filter((_, i) => i % 2 === 0), next };
      this.served.set(cursor, scan);
      if (this.served.size > this.limits.maxOpen) this.served.delete(this.served.keys().next().value!);
    }
    if (next === '0') {
      // Finished: only its last page is kept, to be served again; not the hash.
      scan.hash = undefined;
      scan.fields = undefined;
      return { pairs, next };
    }
    this.open.set(next, scan);
    if (this.open.size > this.limits.maxOpen) this.drop(this.open.keys().next().value!);
    return { pairs, next };
  }

  /** The page last served from `cursor`, again: its fields still in the hash, with their values now. */
  private again(cursor: string, scan: OpenScan, hash: HashValue, nowMs: number): HashScanPage {
    const pairs: BinStr[] = [];
    for (const field of scan.last!.fields) {
      const value = hash.get(field);
      if (value !== undefined) pairs.push(field, value);
    }
    scan.lastUsedMs = nowMs;
    this.served.delete(cursor);
    this.served.set(cursor, scan);
    // The scan is used again: last in the open scans' order too (dropIdle and maxOpen go by it).
    const next = scan.last!.next;
    if (this.open.get(next) === scan) {
      this.open.delete(next);
      this.open.set(next, scan);
    }
    return { pairs, next };
  }

  /** Drops the open scan continued by `cursor`, with its last page. */
  private drop(cursor: string): void {
    const scan = this.open.get(cursor);
    this.open.delete(cursor);
    if (scan?.last !== undefined) this.served.delete(scan.last.asked);
  }

  /** Forgets a scan (HSCAN on a key that no longer holds a hash). */
  close(cursor: string): void {
    const served = this.served.get(cursor);
    if (served?.last !== undefined && this.open.get(served.last.next) === served) this.open.delete(served.last.next);
    this.drop(cursor);
    this.served.delete(cursor);
  }

  /**
   * Lets go of hashes no longer live, so an open scan does not keep a deleted hash's memory until
   * it goes idle: `live(key)` is the hash at the key now. A scan whose key holds another hash
   * starts that one again when continued. At most 2 x `maxOpen` steps; the store's expiry cycle calls it.
   */
  release(live: (key: BinStr) => HashValue | undefined, nowMs: number): void {
    this.dropIdle(nowMs);
    for (const [cursor, scan] of this.open) {
      const now = live(scan.key);
      // Its key gone (the hash may have been let go of already, by letGo): the scan ends.
      if (now === undefined) this.drop(cursor);
      if (now === scan.hash || scan.hash === undefined) continue;
      scan.hash = undefined;
      scan.fields = undefined;
      scan.ahead = undefined;
    }
    // A page of a key gone is not served again (HSCAN of a missing key is an empty last page).
    for (const [cursor, scan] of this.served) if (live(scan.key) === undefined) this.served.delete(cursor);
  }

  /**
   * The hash is no longer live (deleted, replaced, evicted, moved away): scans of it drop their
   * hold on it, and one continued later starts whatever hash its key then holds. O(open scans),
   * and nothing while none is open.
   */
  letGo(hash: HashValue): void {
    if (this.open.size === 0) return;
    for (const scan of this.open.values()) {
      if (scan.hash !== hash) continue;
      scan.hash = undefined;
      scan.fields = undefined;
      scan.ahead = undefined;
    }
  }

  /** `count` pairs: the field read ahead last time (if still there, with its value now), then the iterator's. */
  private take(scan: OpenScan, hash: HashValue, count: number): BinStr[] {
    const pairs: BinStr[] = [];
    let taken = 0;
    if (scan.ahead !== undefined) {
      const value = hash.get(scan.ahead);
      if (value !== undefined) {
        pairs.push(scan.ahead, value);
        taken++;
      }
      scan.ahead = undefined;
    }
    const fields = scan.fields!;
    for (; taken < count; taken++) {
      const step = fields.next();
      if (step.done === true) return pairs;
      pairs.push(step.value[0], step.value[1]);
    }
    const step = fields.next();
    if (step.done !== true) scan.ahead = step.value[0];
    return pairs;
  }

  private dropIdle(nowMs: number): void {
    for (const [cursor, scan] of this.open) {
      if (nowMs - scan.lastUsedMs < this.limits.idleMs) break;
      this.drop(cursor);
    }
    for (const [cursor, scan] of this.served) {
      if (nowMs - scan.lastUsedMs < this.limits.idleMs) break;
      this.served.delete(cursor);
    }
  }
}
