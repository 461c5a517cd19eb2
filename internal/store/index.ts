// store/ owns one node's keyspace: hash, list and string values, lazy and active expiry, versions and
// tombstones, memory accounting and eviction, transfer state, and ring-position buckets for
// range walks. It is pure (time and chance come in through Clock and Random) and imports only
// errors/ and clock/ types; never command/ (which builds on it), ring/, wire/, sockets or timers.
export {
  binFromBuffer,
  binFromRange,
  binFromText,
  binToBuffer,
  binToText,
  flatCopy,
  isAscii,
  isValidUtf8,
  MAX_BIN_LENGTH,
  type BinStr,
} from './bytes.js';
export { Deque } from './deque.js';
export { splitByBytes } from './split-by-bytes.js';
export { buildsInTurns, entryOfInTurns, maxKeyBytes, stateWireBytes, FIELDS_PER_TURN, STATE_WIRE_OVERHEAD_BYTES, VALUE_WIRE_OVERHEAD_BYTES } from './transfer.js';
export { HashValue, type FieldWrite } from './hash-value.js';
export {
  DEFAULT_HASH_SCAN_LIMITS,
  HashScans,
  REDIS_HASH_LISTPACK_MAX_FIELDS,
  WHOLE_HSCAN_MAX_FIELDS,
  type HashScanLimits,
  type HashScanPage,
} from './hash-scans.js';
export { ListValue, redisRange } from './list-value.js';
export { StringValue } from './string-value.js';
export type {
  DeletedKeyState,
  Entry,
  EntryType,
  HashEntry,
  KeyState,
  ListEntry,
  LiveKeyState,
  RemovalReason,
  StringEntry,
  Tombstone,
  Value,
} from './entry.js';
export { ENTRY_TYPES, isEntryType } from './entry.js';
export type { StoredEntry } from './entry.js';
export { compareAtEqualVersion } from './equal-versions.js';
export {
  ENTRY_OVERHEAD_BYTES,
  HASH_FIELD_OVERHEAD_BYTES,
  LIST_ELEMENT_OVERHEAD_BYTES,
  STRING_ENTRY_OVERHEAD_BYTES,
  TOMBSTONE_OVERHEAD_BYTES,
} from './memory.js';
export { BUCKET_SPAN, RING_END } from './key-buckets.js';
export {
  DEFAULT_STORE_OPTIONS,
  EVICTION_POLICIES,
  type EvictionPolicy,
  type StoreDeps,
  type StoreOptions,
} from './options.js';
export { Store, type KeyCount, type ScanResult, type StoreCounters } from './store.js';
export {
  startActiveExpiry,
  type ExpireCycleResult,
  type ExpiringStore,
} from './active-expiry.js';
export { startTimeMarks, TIME_MARK_PERIOD_MS } from './touch-times.js';
export { keyDigest, type KeyDigestView } from './key-digest.js';
