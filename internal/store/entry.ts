import type { BinStr } from './bytes.js';
import type { HashValue } from './hash-value.js';
import type { ListValue } from './list-value.js';
import type { StringValue } from './string-value.js';
import { highOf, joinHalves, lowOf } from './small-halves.js';

/** Every value type, as TYPE names it and transfer state carries it. */
export const ENTRY_TYPES = ['hash', 'list', 'string'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** Whether a type name from a peer is one this store knows. */
export const isEntryType = (t: string): t is EntryType => (ENTRY_TYPES as readonly string[]).includes(t);

/** Any value a key can hold. */
export type Value = HashValue | ListValue | StringValue;

/**
 * What commands see of a value: its own methods and figures. The value object is also the
 * key's entry (see StoredEntry), whose bookkeeping only the store may write, so it is left out.
 */
export type ValueView<V extends StoredEntry> = Omit<V, Exclude<keyof StoredEntry, 'type'>>;

/** The fields every key carries; commands read them, only the store writes them. */
interface EntryBase {
  readonly key: BinStr;
  /** Absolute expiry in wall-clock ms; 0 = none. */
  readonly expireAtMs: number;
  /** Per-key hybrid logical clock; only grows (DESIGN 8). */
  readonly version: number;
}

export interface HashEntry extends EntryBase {
  readonly type: 'hash';
  readonly value: ValueView<HashValue>;
}

export interface ListEntry extends EntryBase {
  readonly type: 'list';
  readonly value: ValueView<ListValue>;
}

export interface StringEntry extends EntryBase {
  readonly type: 'string';
  readonly value: ValueView<StringValue>;
}

/** A key as commands see it. Mutate `value` through its methods, then `store.commit(entry)`. */
export type Entry = HashEntry | ListEntry | StringEntry;

/**
 * The store's own view of an entry: the bookkeeping fields are writable here only. A class, so
 * that `type` and `version` are accessors on the prototype: a version is a wall-clock
 * millisecond count, too large for V8's small integers, and as a plain number field it would be
 * a separate 16 B heap number on every key. Kept as two small integers it costs none, and the
 * type costs no field at all. The key's ring position is not kept either: KeyBuckets hashes the
 * key again where it needs it (about 0.2 us), which costs less than 8 B on every key.
 *
 * Every key is one object: HashValue, ListValue and StringValue extend this class, and each
 * is its own `value`. A separate value object cost 32 B more per key (measured for all three
 * types) and one more pointer to chase on every command (Redis likewise packs a small hash
 * into one listpack allocation).
 */
export abstract class StoredEntry {
  /** LRU stamp: a store-wide access counter modulo 2^30 (Keyspace.idleTouches compares them). */
  lru = 0;
  /** Bytes charged to this key (see memory.ts). */
  charged = 0;
  /** Index in its ring-position bucket (KeyBuckets); -1 while detached (created, not yet committed). */
  slot = -1;
  /** Index in the keys-with-TTL sampling array; -1 when the key has no TTL or is detached. */
  ttlSlot = -1;
  private versionHigh = 0;
  private versionLow = 0;
  /**
   * The expiry, or undefined for none. Never 0: a field that starts as a small integer turns
   * into a heap-number box on every key of its shape once one key stores a double, so the
   * first TTL set anywhere cost 16 B on every key, TTL or not (measured on 1M hashes). A field
   * that starts as undefined stays a plain tagged slot: keys without a TTL pay nothing more,
   * and a key with one points to its own number.
   */
  private expiry: number | undefined = undefined;

  constructor(readonly key: BinStr) {}

  abstract get type(): EntryType;

  abstract get value(): Value;

  /** Per-key hybrid logical clock; only grows (DESIGN 8). An integer below 2^53. */
  get version(): number {
    return joinHalves(this.versionHigh, this.versionLow);
  }

  set version(v: number) {
    const high = highOf(v);
    this.versionHigh = high;
    this.versionLow = lowOf(v, high);
  }

  /**
   * Absolute expiry in wall-clock ms; 0 = none. Written through Keyspace.setExpireAt only, which
   * keeps the TTL indexes and deadline sums of a live entry in step.
   */
  get expireAtMs(): number {
    return this.expiry ?? 0;
  }

  set expireAtMs(ms: number) {
    this.expiry = ms === 0 ? undefined : ms;
  }
}

/** A deleted key's marker: blocks older copies from resurrecting it (DESIGN 8). */
export interface Tombstone {
  readonly version: number;
  /** Monotonic ms (Clock.monotonic) at the deletion: an age, never compared with wall time. */
  readonly deletedAtMs: number;
}

/** Why a key left the store without a command deleting it (the listener seam). */
export type RemovalReason = 'expired' | 'evicted';

/** A live key's full state for replication and rebalance. */
export interface LiveKeyState {
  readonly deleted?: false;
  readonly type: EntryType;
  /** Hash: [f1, v1, f2, v2, ...]; list: its elements head to tail; string: [bytes]. */
  readonly value: readonly BinStr[];
  readonly expireAtMs: number;
  readonly version: number;
}

/** A tombstone's state: the key was deleted at this version. */
export interface DeletedKeyState {
  readonly deleted: true;
  readonly version: number;
}

export type KeyState = LiveKeyState | DeletedKeyState;
