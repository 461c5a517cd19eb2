import type { BinStr } from './bytes.js';

/**
 * Canonical copies of short hash field names. Cached hashes tend to share a small vocabulary of
 * field names (`name`, `email`, `expires`...), yet every command brings fresh copies of them,
 * decoded from its own request; a million hashes with a `name` field would hold a million
 * identical strings. A hash that gains a field stores the canonical copy instead, as G1's string
 * deduplication does for the JVM: 32 B saved per field of up to 16 bytes, and the field
 * comparisons of a small hash then usually match on identity.
 *
 * The pool is process-wide (like V8's own string table) and bounded: it starts over when full,
 * so a workload whose field names are all distinct costs one Map lookup per new field and at most
 * MAX_NAMES strings, while a stable vocabulary is pooled again right after a restart.
 */
const MAX_NAMES = 4096;
/** Longer names are rarely shared, and would make the pool's bound a large amount of memory. */
const MAX_NAME_LENGTH = 64;

const pool = new Map<BinStr, BinStr>();

/** The pool's copy of `field` (adding it when there is room), or `field` itself when too long. */
export function canonicalField(field: BinStr): BinStr {
  if (field.length > MAX_NAME_LENGTH) return field;
  const known = pool.get(field);
  if (known !== undefined) return known;
  if (pool.size >= MAX_NAMES) pool.clear();
  pool.set(field, field);
  return field;
}

/** Names in the pool now (for tests of its bound). */
export const pooledFieldNames = (): number => pool.size;
