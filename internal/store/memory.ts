/**
 * Memory is estimated, not measured: each entry is charged its bytes (key, fields, values) plus
 * fixed overheads measured once on Node 20 / V8 with `--expose-gc` and heap deltas over 200k items.
 * The estimate is kept exact under every mutation (it returns to 0 when every key is deleted), so
 * eviction decisions are reproducible; it tracks the real heap within tens of percent.
 */

/**
 * Per key: the entry object (~80 B), its empty container (a Map ~250 B, or a small ring
 * buffer), the keyspace Map slot (~37 B), the position-bucket Set slot (~26 B), the sampling
 * array slot (8 B) and the key string's header (~20 B).
 */
export const ENTRY_OVERHEAD_BYTES = 400;

/** Per hash field: a Map slot (~37 B) and two string headers with padding (~2 x 18 B). */
export const HASH_FIELD_OVERHEAD_BYTES = 72;

/** Per list element: a ring-buffer slot (8 B, up to 2x for unused capacity) and a string header. */
export const LIST_ELEMENT_OVERHEAD_BYTES = 32;

/**
 * Per string key, replacing ENTRY_OVERHEAD_BYTES: the entry, index slots and key header as for
 * any key, a StringValue wrapper and the value's header, but no Map or ring buffer. Measured the
 * same way (200k keys of 16 B with 32 B values): 479 B of heap per string key against 669 B per
 * one-field hash, so strings are charged 190 B less than that hash, keeping the same margin.
 */
export const STRING_ENTRY_OVERHEAD_BYTES = 280;

/** Per tombstone: a Map slot and its `{ version, deletedAtMs }` (counted apart from keys). */
export const TOMBSTONE_OVERHEAD_BYTES = 80;

export const hashFieldBytes = (field: string, value: string): number =>
  field.length + value.length + HASH_FIELD_OVERHEAD_BYTES;

/** A string value is charged its bytes; the fixed part is in STRING_ENTRY_OVERHEAD_BYTES. */
export const stringValueBytes = (value: string): number => value.length;

export const listElementBytes = (value: string): number =>
  value.length + LIST_ELEMENT_OVERHEAD_BYTES;
