import type { BinStr } from './bytes.js';
import type { HashValue } from './hash-value.js';
import type { ListValue } from './list-value.js';
import type { StringValue } from './string-value.js';

/** Every value type, as TYPE names it and transfer state carries it. */
export const ENTRY_TYPES = ['hash', 'list', 'string'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** Whether a type name from a peer is one this store knows. */
export const isEntryType = (t: string): t is EntryType => (ENTRY_TYPES as readonly string[]).includes(t);

/** Any value a key can hold. */
export type Value = HashValue | ListValue | StringValue;

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
  readonly value: HashValue;
}

export interface ListEntry extends EntryBase {
  readonly type: 'list';
  readonly value: ListValue;
}

export interface StringEntry extends EntryBase {
  readonly type: 'string';
  readonly value: StringValue;
}

/** A key as commands see it. Mutate `value` through its methods, then `store.commit(entry)`. */
export type Entry = HashEntry | ListEntry | StringEntry;

/** The store's own view of an entry: the bookkeeping fields are writable here only. */
export type StoredEntry = {
  -readonly [K in keyof EntryBase]: EntryBase[K];
} & {
  readonly type: EntryType;
  readonly value: Value;
  /**
   * The key's ring position (from the injected hashKey) as a signed int32: V8 keeps a value that
   * fits 31 bits plus sign inline in the object, while a uint32 above 2^31 would make the field
   * a 16 B heap number on every key. `pos >>> 0` is the uint32 position.
   */
  readonly pos: number;
  /** LRU stamp: a store-wide access counter modulo 2^30 (Keyspace.idleTouches compares them). */
  lru: number;
  /** Bytes charged to this key (see memory.ts). */
  bytes: number;
  /** Index in its ring-position bucket (KeyBuckets); -1 while detached (created, not yet committed). */
  slot: number;
  /** Index in the keys-with-TTL sampling array; -1 when the key has no TTL or is detached. */
  ttlSlot: number;
};

/** A deleted key's marker: blocks older copies from resurrecting it (DESIGN 8). */
export interface Tombstone {
  readonly version: number;
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
