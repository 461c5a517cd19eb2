import type { EntryType } from './entry.js';

/**
 * Memory is estimated, not measured: each entry is charged its bytes (key, fields, values) plus
 * fixed overheads measured once on Node 20 / V8 with `--expose-gc` and heap deltas over 200k items.
 * The estimate is kept exact under every mutation (the keys' part returns to 0 when every key
 * is deleted, the tombstones' when they are pruned), so eviction decisions are reproducible; it
 * tracks the real heap within tens of percent.
 */

/**
 * Per hash key: one object that is both the entry and the hash (HashValue extends StoredEntry):
 * 112 B, eleven fields: the key, five bookkeeping numbers, the version held as two small
 * integers, and the first pair and the rest of a small hash (its other pairs go in an
 * exact-size array; a hash past SMALL_HASH_MAX_FIELDS fields moves to a Map, whose fields then
 * dominate). The ring position is not held at all (see StoredEntry). Plus the keyspace Map slot
 * (~30 B), the position-bucket array slot (~10 B) and the key string's header (16 B).
 * Measured: 268 B of heap per one-field hash of a 16 B key, 16 B field and 32 B value, the
 * field name distinct in every hash (`npm run bench`, memory part), estimated 268 B. A name
 * shared through the field name pool (field-names.ts) saves its 32 B in the heap, but the
 * estimate charges every name as unshared: the pool may start over, and eviction had better
 * err towards too much.
 */
export const ENTRY_OVERHEAD_BYTES = 132;

/**
 * Per list key, replacing ENTRY_OVERHEAD_BYTES: the entry with the list in it (ListValue) and
 * the same index slots, plus the list's deque and its ring buffer (at least 4 slots). Measured
 * the same way: 360 B of heap per one-element list of a 16 B key and a 32 B element, estimated
 * 364 B.
 */
export const LIST_ENTRY_OVERHEAD_BYTES = 284;

/** Per hash field: a Map slot (~37 B) and two string headers with padding (~2 x 18 B). */
export const HASH_FIELD_OVERHEAD_BYTES = 72;

/** Per list element: a ring-buffer slot (8 B, up to 2x for unused capacity) and a string header. */
export const LIST_ELEMENT_OVERHEAD_BYTES = 32;

/**
 * Per string key, replacing ENTRY_OVERHEAD_BYTES: the entry with the string in it
 * (StringValue), index slots and key header as for any key, and the value's header, but no
 * field array, Map or ring buffer. Measured the same way: 216 B of heap per string key of 16 B
 * with a 32 B value (estimated 220 B).
 */
export const STRING_ENTRY_OVERHEAD_BYTES = 172;

/** A key's fixed charge by type: everything but its key, field, value and element bytes. */
export function entryOverheadBytes(type: EntryType): number {
  return type === 'hash' ? ENTRY_OVERHEAD_BYTES : type === 'list' ? LIST_ENTRY_OVERHEAD_BYTES : STRING_ENTRY_OVERHEAD_BYTES;
}

/**
 * Per tombstone (counted with the keys against max_memory): a Map slot, its record (both times
 * as small-integer halves) and a slot in its position bucket's Set. Measured: 119 B a tombstone
 * at 1M of them, the key string apart.
 */
export const TOMBSTONE_OVERHEAD_BYTES = 120;

export const hashFieldBytes = (field: string, value: string): number =>
  field.length + value.length + HASH_FIELD_OVERHEAD_BYTES;

/** A string value is charged its bytes; the fixed part is in STRING_ENTRY_OVERHEAD_BYTES. */
export const stringValueBytes = (value: string): number => value.length;

export const listElementBytes = (value: string): number =>
  value.length + LIST_ELEMENT_OVERHEAD_BYTES;
