import type { Random } from '../clock/index.js';
import { outOfMemory, wrongType } from '../errors/index.js';
import { type ExpireCycleResult, runExpireCycle } from './active-expiry.js';
import type { BinStr } from './bytes.js';
import type {
  Entry,
  HashEntry,
  KeyState,
  ListEntry,
  RemovalReason,
  StringEntry,
  StoredEntry,
  Tombstone,
} from './entry.js';
import { pickVictim } from './eviction.js';
import { HashScans, type HashScanPage } from './hash-scans.js';
import { HashValue } from './hash-value.js';
import { Keyspace } from './keyspace.js';
import { ListValue } from './list-value.js';
import { DEFAULT_STORE_OPTIONS, type StoreDeps, type StoreOptions } from './options.js';
import { StringValue } from './string-value.js';
import { Tombstones } from './tombstones.js';
import { compareAtEqualVersion } from './equal-versions.js';
import { STATE_WIRE_OVERHEAD_BYTES, entryHolds, entryOf, entryWireBytes, stateOf } from './transfer.js';

/** How soon pruning for memory looks again after finding every tombstone too young. */
const PRUNE_RETRY_MS = 100;

/** One page of a ring-range walk: keys found, and the position to continue from. */
export interface ScanResult {
  readonly keys: BinStr[];
  readonly next: number;
}

/** Keys in a range of the ring, and how many of them have a TTL (DBSIZE, INFO keyspace). */
export interface KeyCount {
  readonly keys: number;
  readonly expires: number;
  /**
   * The remaining TTLs of those `expires` keys summed, in ms (INFO's avg_ttl is this over
   * `expires`). A key past its expiry that was not collected yet counts negative.
   */
  readonly ttlSumMs: number;
}

export interface StoreCounters {
  readonly expiredKeys: number;
  readonly evictedKeys: number;
  /** Tombstones dropped before their retention ended, to stay under maxMemoryBytes. */
  readonly tombstonesPrunedEarly: number;
}

/**
 * One node's keyspace. Reads expire keys lazily; writes follow one discipline: get the entry with
 * `hashForWrite`/`listForWrite` (a new key is a detached entry until committed), mutate its value
 * through the value's methods, then call `commit(entry)` once. Commit stamps the version,
 * re-charges the key's memory, inserts a new key, and deletes a hash or list left empty.
 */
export class Store {
  readonly options: Readonly<StoreOptions>;
  /** HSCANs of large hashes in progress (see hash-scans.ts). */
  private readonly hashScans: HashScans;
  private readonly space: Keyspace;
  private readonly tombstones: Tombstones;
  private expiredKeys = 0;
  private evictedKeys = 0;
  private tombstonesPrunedEarly = 0;
  /** Monotonic ms before which no tombstone is old enough to drop early (pruneTombstonesForMemory). */
  private pruneWaitUntilMs = 0;
  /** evictToLimit stopped at its chunk while over the limit (see `evicting`). */
  private evictionBacklog = false;
  /** Inside an instant (beginInstant): expiry is judged at `instantMs`, read at the first need. */
  private pinned = false;
  private instantMs: number | undefined;
  /** The live entry whose TTL the write being built changed, and whether it had one (commit). */
  private ttlChangedOn: StoredEntry | undefined;
  private ttlBefore = false;

  constructor(
    private readonly deps: StoreDeps,
    options: Partial<StoreOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_STORE_OPTIONS, ...options });
    this.space = new Keyspace(deps.hashKey);
    this.tombstones = new Tombstones(deps.hashKey);
    this.hashScans = new HashScans(deps.random);
    this.markTime(); // every key's stamp comes after a mark
  }

  /** Number of keys (expired ones not yet collected included). */
  get size(): number {
    return this.space.size;
  }

  /** Estimated bytes of all keys (see memory.ts), tombstones apart. */
  get keysMemory(): number {
    return this.space.usedMemory;
  }

  /** What counts against maxMemoryBytes: the keys and the tombstones. */
  get usedMemory(): number {
    return this.space.usedMemory + this.tombstones.bytes;
  }

  get tombstoneCount(): number {
    return this.tombstones.size;
  }

  get tombstoneBytes(): number {
    return this.tombstones.bytes;
  }

  /** Both tombstone figures, as INFO and the metrics report them. */
  get tombstoneUse(): { readonly count: number; readonly bytes: number } {
    return { count: this.tombstones.size, bytes: this.tombstones.bytes };
  }

  get keysWithTtl(): number {
    return this.space.volatile.size;
  }

  /** The bytes memory accounting charges the key (MEMORY USAGE), undefined when missing. Does not mark it used. */
  chargedBytes(key: BinStr): number | undefined {
    return this.lookup(key, false)?.charged;
  }

  /**
   * Whether the key's state, grown by `growth` bytes, stays within `max` bytes on the wire (see
   * transfer.ts). Does not mark it used.
   */
  fitsAfter(key: BinStr, growth: number, max: number): boolean {
    const e = this.lookup(key, false);
    if (e === undefined) return STATE_WIRE_OVERHEAD_BYTES + key.length + growth <= max;
    // A key's charge is never below its wire bytes: most writes are decided without summing
    // a small hash's fields.
    return e.charged + growth <= max || entryWireBytes(e) + growth <= max;
  }

  /**
   * Ms since the key was last used (OBJECT IDLETIME), undefined when missing; never less than
   * the truth, and more by less than the period markTime is called at. Does not mark it used.
   */
  idleMs(key: BinStr): number | undefined {
    const e = this.lookup(key, false);
    return e === undefined ? undefined : this.space.idleMs(e, this.deps.clock.now());
  }

  /** Notes the time for OBJECT IDLETIME (store/touch-times.ts): the node does it every second. */
  markTime(): void {
    this.space.markTime(this.deps.clock.now());
  }

  /** Wall-clock ms from the injected clock (commands compute TTLs against it). */
  nowMs(): number {
    if (!this.pinned) return this.deps.clock.now();
    return (this.instantMs ??= this.deps.clock.now());
  }

  /**
   * Judges expiry at one instant from now until endInstant: a command reads its key more than
   * once (SET ... NX GET), and a replica checks a write's prior version before applying it; a
   * key must not expire in between. The clock is read at the first need, so a command on keys
   * without TTLs reads it no more than before. Returns whether this call began the instant
   * (false inside another, whose instant holds): pass it to endInstant.
   */
  beginInstant(): boolean {
    if (this.pinned) return false;
    this.pinned = true;
    return true;
  }

  endInstant(began: boolean): void {
    if (!began) return;
    this.pinned = false;
    this.instantMs = undefined;
  }

  /** Runs `fn` at one instant (beginInstant). */
  atOneInstant<T>(fn: () => T): T {
    const began = this.beginInstant();
    try {
      return fn();
    } finally {
      this.endInstant(began);
    }
  }

  /** The injected Random: commands that answer by chance (HRANDFIELD) draw from it. */
  get random(): Random {
    return this.deps.random;
  }

  get counters(): StoreCounters {
    return {
      expiredKeys: this.expiredKeys,
      evictedKeys: this.evictedKeys,
      tombstonesPrunedEarly: this.tombstonesPrunedEarly,
    };
  }

  // ---- reads -------------------------------------------------------------------------------

  /** The live entry, or undefined (an expired key is deleted here). Marks the key as used. */
  get(key: BinStr): Entry | undefined {
    return this.lookup(key, true) as Entry | undefined;
  }

  /** Like get, without marking the key as used (transfers, introspection). */
  peek(key: BinStr): Entry | undefined {
    return this.lookup(key, false) as Entry | undefined;
  }

  /** The hash at `key`, undefined when missing; WRONGTYPE when it holds a list. */
  getHash(key: BinStr): HashEntry | undefined {
    const e = this.lookup(key, true);
    if (e !== undefined && e.type !== 'hash') throw wrongType();
    return e as HashEntry | undefined;
  }

  /**
   * One HSCAN page of the hash at `key` from `cursor` (see hash-scans.ts); a missing key is an
   * empty last page. Undefined: `cursor` names no open scan of this hash here. WRONGTYPE for a
   * key of another type.
   */
  scanHash(key: BinStr, cursor: string, count: number): HashScanPage | undefined {
    const e = this.lookup(key, true);
    if (e === undefined) {
      this.hashScans.close(cursor);
      return { pairs: [], next: '0' };
    }
    if (!(e instanceof HashValue)) throw wrongType();
    // COUNT is a hint: a page is bounded work whatever it asks, as a SCAN page is.
    // Idle time is elapsed time: a wall clock stepped forward must not drop every open scan.
    return this.hashScans.page(key, e, cursor, Math.min(count, this.options.scanMaxExamine), this.deps.clock.monotonic());
  }

  /** The list at `key`, undefined when missing; WRONGTYPE when it holds a hash. */
  getList(key: BinStr): ListEntry | undefined {
    const e = this.lookup(key, true);
    if (e !== undefined && e.type !== 'list') throw wrongType();
    return e as ListEntry | undefined;
  }

  /** The string at `key`, undefined when missing; WRONGTYPE when it holds a hash or list. */
  getString(key: BinStr): StringEntry | undefined {
    const e = this.lookup(key, true);
    if (e !== undefined && e.type !== 'string') throw wrongType();
    return e as StringEntry | undefined;
  }

  /** The string at `key` (WRONGTYPE for another type), or a new one that exists once committed. */
  stringForWrite(key: BinStr): StringEntry {
    return (this.getString(key) ?? new StringValue(key)) as StringEntry;
  }

  /**
   * For SET, which replaces a value of any type: the string at `key`, else a new detached string
   * that replaces whatever the key holds when committed (its version above the replaced one's).
   */
  stringForOverwrite(key: BinStr): StringEntry {
    const e = this.lookup(key, true);
    if (e !== undefined && e.type === 'string') return e as StringEntry;
    return new StringValue(key) as StringEntry;
  }

  /** The hash at `key`, or a new empty one that exists only once committed non-empty. */
  hashForWrite(key: BinStr): HashEntry {
    return (this.getHash(key) ?? new HashValue(key)) as HashEntry;
  }

  /** The list at `key`, or a new empty one that exists only once committed non-empty. */
  listForWrite(key: BinStr): ListEntry {
    return (this.getList(key) ?? new ListValue(key)) as ListEntry;
  }

  /**
   * The key's current version: the live entry's, else its tombstone's, else 0. Expires the key
   * first, so every copy reports the same version (an expiry's tombstone version is fixed).
   */
  versionOf(key: BinStr): number {
    return this.lookup(key, false)?.version ?? this.tombstones.get(key)?.version ?? 0;
  }

  /** The tombstone left by the key's last deletion, if still retained. */
  tombstone(key: BinStr): Tombstone | undefined {
    return this.tombstones.get(key);
  }

  // ---- writes ------------------------------------------------------------------------------

  /**
   * The version the next write of `key` gets: max(wall ms, current + 1, tombstone + 1), a hybrid
   * logical clock, so versions only grow per key even when the wall clock steps back.
   */
  nextVersion(key: BinStr): number {
    const e = this.lookup(key, false);
    if (e === undefined) return this.versionAfter(key, 0);
    return this.versionAfter(key, e.expireAtMs !== 0 ? e.version + 1 : e.version); // see commit
  }

  /**
   * Finishes a write: stamps `version` (or the next one), charges memory, inserts a new key and
   * deletes a hash or list left empty (leaving a tombstone). Returns the version stamped.
   */
  commit(entry: Entry, version?: number): number {
    const e = entry as StoredEntry;
    const live = e.slot >= 0;
    const now = this.deps.clock.now();
    // A detached entry may replace a live key of another type (SET): its version goes above it.
    const replaced = live ? undefined : this.space.find(e.key);
    // A write to a key that had a TTL skips a version: its expiry's tombstone is version + 1
    // on every copy, and a write its leader made before the expiry (PERSIST) must rank above
    // it, even when versions run ahead of the wall clock (a hot key, a leader's clock behind).
    const hadTtl = !live ? (replaced?.expireAtMs ?? 0) !== 0 : this.ttlChangedOn === e ? this.ttlBefore : e.expireAtMs !== 0;
    this.ttlChangedOn = undefined;
    const prior = live ? e.version : (replaced?.version ?? 0);
    const v = version ?? this.versionAfter(e.key, hadTtl ? prior + 1 : prior, now);
    if (e.value.isEmpty()) {
      if (live) this.remove(e, v);
      return v;
    }
    e.version = v;
    if (live) {
      this.space.touch(e);
      this.space.charge(e);
    } else {
      // A replaced key (SET over a hash) leaves whole; so would a second detached entry.
      if (replaced !== undefined) this.detach(replaced);
      this.space.insert(e);
      this.tombstones.delete(e.key); // the new version is above it: it no longer blocks anything
    }
    return v;
  }

  /** Sets (ms > 0) or clears (0) the absolute expiry; the caller then commits the entry. */
  setExpireAt(entry: Entry, expireAtMs: number): void {
    const e = entry as StoredEntry;
    if (e.slot >= 0 && this.ttlChangedOn !== e) {
      this.ttlChangedOn = e;
      this.ttlBefore = e.expireAtMs !== 0;
    }
    this.space.setExpireAt(e, expireAtMs); // a detached entry is registered when inserted
  }

  /** Deletes a live key, leaving a tombstone; returns the version, undefined when missing. */
  delete(key: BinStr, version?: number): number | undefined {
    const e = this.lookup(key, false);
    if (e === undefined) return undefined;
    const v = version ?? this.versionAfter(key, e.version);
    this.remove(e, v);
    return v;
  }

  // ---- transfer ----------------------------------------------------------------------------

  /** The key's full state for replication/rebalance; a tombstone if recently deleted. */
  exportKey(key: BinStr): KeyState | undefined {
    const e = this.lookup(key, false);
    if (e !== undefined) return stateOf(e);
    const t = this.tombstones.get(key);
    return t === undefined ? undefined : { deleted: true, version: t.version };
  }

  /**
   * Applies a transferred state only if its version is higher than the local key's or
   * tombstone's (so a stale copy never overwrites a newer write nor resurrects a deleted key).
   * At the same version, a different value is applied when it ranks higher in an order every
   * node shares (compareAtEqualVersion), or always with `takeEqual`: a replica given its
   * leader's state. Two nodes stamp one version on different values only on the two sides of a
   * partition with minority_writes: accept. Returns whether it was applied. Never refuses for
   * memory: a transfer must not lose data. `built` is the state's entry built beforehand
   * (entryOfInTurns), detached and of this state; unused when the state is refused.
   */
  mergeKey(key: BinStr, state: KeyState, takeEqual = false, built?: StoredEntry): boolean {
    const e = this.lookup(key, false);
    const local = e?.version ?? this.tombstones.get(key)?.version ?? 0;
    if (state.version < local) return false;
    if (state.version === local && !takeEqual) {
      if (local === 0) return false;
      if (e !== undefined && state.deleted !== true && entryHolds(e, state)) return false; // the same copy again
      const mine: KeyState = e !== undefined ? stateOf(e) : { deleted: true, version: local };
      if (compareAtEqualVersion(state, mine) <= 0) return false;
    }
    const now = this.deps.clock.now();
    const expired = state.deleted !== true && state.expireAtMs > 0 && state.expireAtMs <= now;
    if (state.deleted === true || state.value.length === 0 || expired) {
      // A copy that expired in flight is this expiry's tombstone, at the version every copy
      // gives it (removeFor): at the copy's own version, a write its leader made to the copy
      // while its clock was behind would match it and be applied to a missing key.
      const version = expired ? state.version + 1 : state.version;
      if (e !== undefined) this.remove(e, version);
      else this.addTombstone(key, version);
      return true;
    }
    const fresh = built ?? entryOf(key, state);
    fresh.version = state.version;
    this.space.setExpireAt(fresh, state.expireAtMs); // detached: registered by insert
    if (e !== undefined) this.detach(e);
    this.space.insert(fresh);
    this.tombstones.delete(key);
    return true;
  }

  /**
   * Removes a live key WITHOUT a tombstone, and only while its version is still `ifVersion`:
   * how rebalance drops a copy it handed off. Not a delete: a tombstone would refuse the same
   * state if the key came back here; without one the key reads as never seen (as after an
   * eviction) and onRemoved is not called. Returns whether it was removed.
   */
  forget(key: BinStr, ifVersion: number): boolean {
    const e = this.lookup(key, false);
    if (e === undefined || e.version !== ifVersion) return false;
    this.detach(e);
    return true;
  }

  /**
   * Drops what a replica holds of a key its leader evicted at `version` (replication's evicted
   * op), so that it holds nothing, as the leader does: a copy at that version or below (one
   * whose last writes the replica missed: lost with a broken stream, the eviction resent
   * without them), or the tombstone such a copy left expiring here already (at most version
   * + 1, removeFor: this clock ahead of the leader's). Kept, a copy stayed where the leader held
   * nothing, and a tombstone ranked above the leader's next write of the key, stamped afresh
   * (the wall clock, maybe below it), so the replica refused the leader's state for good. A
   * newer copy is not the one evicted: kept. Returns whether anything was dropped.
   */
  forgetEvicted(key: BinStr, version: number): boolean {
    const e = this.lookup(key, false);
    if (e !== undefined) {
      if (e.version > version) return false;
      this.detach(e);
      return true;
    }
    const t = this.tombstones.get(key);
    if (t === undefined || t.version > version + 1) return false;
    this.tombstones.delete(key);
    return true;
  }

  // ---- memory ------------------------------------------------------------------------------

  /**
   * Gets under maxMemoryBytes: first by dropping one chunk of the tombstones past their share,
   * then by evicting keys per policy, at most `evictionChunk` of them. False when over and
   * nothing may go; true when under, or when the chunk ran out (`evicting`): the caller goes
   * on, as Redis lets a write through while its eviction is in progress.
   */
  evictToLimit(): boolean {
    const max = this.options.maxMemoryBytes;
    this.evictionBacklog = false;
    if (max <= 0) return true;
    const { evictionPolicy, evictionSamples, evictionChunk } = this.options;
    this.pruneTombstonesForMemory();
    const { all, volatile } = this.space;
    for (let evicted = 0; this.usedMemory > max; evicted++) {
      if (evicted >= evictionChunk) {
        // Still over after a chunk: the rest goes on later calls (Redis's EVICT_RUNNING).
        this.evictionBacklog = true;
        return true;
      }
      const victim = pickVictim(evictionPolicy, all, volatile, evictionSamples, this.deps.random, (e) =>
        this.space.idleTouches(e),
      );
      if (victim === undefined) return false;
      this.removeFor(victim, 'evicted');
    }
    return true;
  }

  /** The last evictToLimit stopped at its chunk while still over the limit. */
  get evicting(): boolean {
    return this.evictionBacklog;
  }

  /** Called before a command that may grow memory: evicts, or throws OOM as Redis does. */
  ensureMemory(): void {
    if (!this.evictToLimit()) throw outOfMemory();
  }

  // ---- maintenance -------------------------------------------------------------------------

  /**
   * Redis's active expiry: sample keys with a TTL, delete the expired, and go on while more than
   * a quarter of a sample was expired and `budgetMs` of monotonic time lasts. Then lets open
   * HSCANs release hashes no longer live, prunes one bounded chunk of old tombstones, and, over
   * maxMemoryBytes, evicts one chunk of keys.
   */
  activeExpireCycle(budgetMs: number): ExpireCycleResult {
    const { clock, random } = this.deps;
    const cycle = runExpireCycle(
      {
        clock,
        random,
        volatile: this.space.volatile,
        expire: (e) => this.removeFor(e, 'expired'),
        samples: this.options.activeExpireSamples,
        maxRounds: this.options.activeExpireMaxRounds,
      },
      budgetMs,
    );
    this.hashScans.release((key) => {
      const e = this.space.find(key);
      return e instanceof HashValue ? e : undefined;
    }, clock.monotonic());
    const tombstonesPruned = this.pruneTombstones();
    // Also how eviction left over by a chunk goes on when no write comes (and, under the
    // limit, clears `evicting`, which a forget or delete may have left stale).
    this.evictToLimit();
    return { ...cycle, tombstonesPruned, evicting: this.evictionBacklog };
  }

  /**
   * Drops one bounded chunk of tombstones older than the retention, then, when over
   * maxMemoryBytes, one of those past their share of it; returns how many went.
   */
  pruneTombstones(): number {
    const { tombstoneRetentionMs, tombstonePruneChunk } = this.options;
    const old = this.tombstones.prune(this.tombstoneNow() - tombstoneRetentionMs, tombstonePruneChunk).pruned;
    return old + this.pruneTombstonesForMemory();
  }

  /**
   * Over maxMemoryBytes, drops up to one chunk of tombstones, oldest first, while they hold more
   * than their share of it and the store is over; never one younger than the minimum retention.
   * A deletion forgotten early can only come back from a copy that missed it for longer than
   * that (docs/consistency.md, window 8); a key evicted for it would be lost for sure.
   *
   * It prunes to 1/64 of the limit below it, so that the deletes that follow do not each start
   * a walk (Tombstones.prune); and when the oldest tombstone is too young, it does not look
   * again until that one is old enough (at most every 100 ms).
   */
  private pruneTombstonesForMemory(): number {
    const limit = this.options.maxMemoryBytes;
    if (limit <= 0 || this.usedMemory <= limit) return 0;
    const { tombstoneMemoryShare, tombstoneMinRetentionMs, tombstoneRetentionMs, tombstonePruneChunk } = this.options;
    const now = this.tombstoneNow();
    const floorMs = Math.min(tombstoneMinRetentionMs, tombstoneRetentionMs);
    if (now < this.pruneWaitUntilMs) return 0;
    const keepBytes = Math.max(limit * tombstoneMemoryShare, limit - this.space.usedMemory) - limit / 64;
    const { pruned, early } = this.tombstones.prune(now - floorMs, tombstonePruneChunk, keepBytes, now - tombstoneRetentionMs);
    this.tombstonesPrunedEarly += early;
    if (pruned < tombstonePruneChunk && this.tombstones.bytes > keepBytes) {
      // Stopped at a tombstone younger than the floor: none gets older before it does.
      const oldest = this.tombstones.oldestDeletedAtMs() ?? now;
      this.pruneWaitUntilMs = Math.max(oldest + floorMs, now + PRUNE_RETRY_MS);
    }
    return pruned;
  }

  // ---- ring ranges -------------------------------------------------------------------------

  /**
   * Keys whose ring position is in [from, to) and that pass `filter`, walking buckets in
   * position order; stops after the bucket where `count` keys were collected (or count x
   * scanExamineFactor were looked at, or the keys reached `maxKeyBytes` bytes, 0: no bound),
   * returning that bucket's end as `next`, else `next = to`. Expired keys are skipped, and up
   * to scanExpireChunk of them collected. At most scanMaxExamine keys are looked at whatever
   * `count` asks (and the rest of the bucket where that limit falls).
   */
  scan(
    from: number,
    to: number,
    count: number,
    filter?: (key: BinStr, entry: Entry) => boolean,
    maxKeyBytes = 0,
  ): ScanResult {
    const now = this.deps.clock.now();
    const expired: StoredEntry[] = [];
    const { scanExamineFactor, scanMaxExamine, scanExpireChunk } = this.options;
    const wanted = Math.max(1, count);
    const examineLimit = Math.min(wanted * scanExamineFactor, scanMaxExamine);
    const walk = this.space.walk(from, to, wanted, examineLimit, (e) => {
      if (e.expireAtMs !== 0 && e.expireAtMs <= now) {
        // Deleting is the costly part (a tombstone each): a bounded number per page.
        if (expired.length < scanExpireChunk) expired.push(e);
        return false;
      }
      return filter === undefined || filter(e.key, e as Entry);
    }, maxKeyBytes);
    for (const e of expired) this.removeFor(e, 'expired');
    return { keys: walk.entries.map((e) => e.key), next: walk.next };
  }

  /** How many keys have a ring position in [from, to) (expired ones not yet collected included). */
  countRange(from: number, to: number): number {
    return this.space.countRange(from, to);
  }

  /**
   * How many keys, and keys with a TTL, have a ring position in [from, to), and the sum of the
   * latter's remaining TTLs (DBSIZE, INFO): as countRange, whole buckets by their counters
   * (per-bucket TTL counts and deadline sums), edge buckets key by key. O(buckets), not O(keys).
   */
  countKeysIn(from: number, to: number): KeyCount {
    return this.space.countWithExpires(from, to, this.deps.clock.now());
  }

  /** Keys in [from, to) in chunks of about `chunkKeys`, for rebalance to send between yields. */
  *rangeChunks(from: number, to: number, chunkKeys = 256): Generator<BinStr[]> {
    let pos = from;
    while (pos < to) {
      const page = this.scan(pos, to, chunkKeys);
      if (page.keys.length > 0) yield page.keys;
      pos = page.next;
    }
  }

  /**
   * Keys deleted recently (tombstones still retained) whose ring position is in [from, to): a
   * hand-off sends these too, so a member that missed a delete drops its old copy.
   */
  tombstonedKeys(from: number, to: number): BinStr[] {
    return this.tombstones.keysInRange(from, to);
  }

  // ---- internals ---------------------------------------------------------------------------

  private lookup(key: BinStr, touch: boolean): StoredEntry | undefined {
    const e = this.space.find(key);
    if (e === undefined) return undefined;
    if (e.expireAtMs !== 0 && e.expireAtMs <= this.nowMs()) {
      this.removeFor(e, 'expired');
      return undefined;
    }
    if (touch) this.space.touch(e);
    return e;
  }

  private versionAfter(key: BinStr, current: number, now = this.deps.clock.now()): number {
    const t = this.tombstones.get(key);
    return Math.max(now, current + 1, t === undefined ? 0 : t.version + 1);
  }

  /**
   * Takes a live entry out of the keyspace. An open HSCAN of a hash lets go of it now, so a
   * deleted or replaced hash is not kept in memory, uncharged, until the next expiry cycle.
   */
  private detach(e: StoredEntry): void {
    this.space.detach(e);
    if (e instanceof HashValue) this.hashScans.letGo(e);
  }

  /** Deletes a live entry, leaving a tombstone at `version`. */
  private remove(e: StoredEntry, version: number): void {
    this.detach(e);
    this.addTombstone(e.key, version);
  }

  /**
   * A new tombstone over maxMemoryBytes drops old ones (pruneTombstonesForMemory), so a stream
   * of deletes alone cannot outgrow the limit.
   */
  private addTombstone(key: BinStr, version: number): void {
    this.tombstones.set(key, version, this.tombstoneNow());
    this.pruneTombstonesForMemory();
  }

  /**
   * A tombstone's age is elapsed time (whole monotonic ms), not wall time: a wall clock stepped
   * forward by a day would drop every deletion at once, before a copy that missed it is merged
   * back, and one stepped back would keep them all (pruning stops at the first young one).
   */
  private tombstoneNow(): number {
    return Math.floor(this.deps.clock.monotonic());
  }

  /**
   * Expiry and eviction. An expiry's tombstone version is version + 1: every copy computes the
   * same one, and it stays below any write the leader stamped on the key before its own clock
   * reached the expiry (max(wall ms, version + 1)), so such a write (PERSIST 1 ms before the
   * end) still wins on a replica whose clock had passed it. An eviction leaves no tombstone: it
   * is this copy's loss, not a delete, so the key reads as never seen (version 0) and a
   * replicated write meant for the evicted version makes the replica ask for the key's state
   * instead of applying it to nothing.
   */
  private removeFor(e: StoredEntry, reason: RemovalReason): void {
    if (reason === 'expired') {
      const version = e.version + 1;
      this.remove(e, version);
      this.expiredKeys++;
      this.deps.onRemoved?.(e.key, reason, version);
    } else {
      this.detach(e);
      this.evictedKeys++;
      this.deps.onRemoved?.(e.key, reason, e.version);
    }
  }
}
