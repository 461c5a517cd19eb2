import { REDIS_HASH_LISTPACK_MAX_FIELDS, type Entry, type HashEntry } from '../store/index.js';
import { parseInt64 } from './parse.js';

// Redis 7.0's defaults, probed on redis-server 7.0.15 started without a config file. The
// fields limit is shared with HSCAN's whole-hash rule (store/hash-scans.ts).
const HASH_MAX_LISTPACK_ENTRIES = REDIS_HASH_LISTPACK_MAX_FIELDS;
const HASH_MAX_LISTPACK_VALUE = 64;
/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT: a string up to this many bytes lives inside its object. */
const EMBSTR_MAX_BYTES = 44;
/** Redis keeps one shared object for each integer in [0, 10000) (OBJ_SHARED_INTEGERS). */
const SHARED_INTEGERS = 10_000;
/** OBJECT REFCOUNT of a shared object (OBJ_SHARED_REFCOUNT, INT_MAX). */
const SHARED_REFCOUNT = 2_147_483_647;

/**
 * OBJECT ENCODING: the encoding Redis 7.0 would use for a value of this shape, not gokv's own
 * layout (store/hash-value.ts has its own thresholds). Decided from the value as it is now:
 * - hash: `listpack` up to 512 fields with every field and value up to 64 bytes, else
 *   `hashtable`. (Redis never converts back: a hash that outgrew those limits and shrank stays
 *   `hashtable` there.)
 * - list: `quicklist` (Redis 7.0 keeps every list in one; 7.2 added `listpack` for small ones).
 * - string: as SET stores it (tryObjectEncoding): `int` for up to 20 bytes in Redis's strict
 *   integer form within 64 bits, else `embstr` up to 44 bytes, else `raw`. (Redis leaves a
 *   string that APPEND or SETRANGE changed `raw`, and INCRBYFLOAT's result `embstr`.)
 */
export function redisEncoding(e: Entry): string {
  switch (e.type) {
    case 'hash':
      return fitsListpack(e) ? 'listpack' : 'hashtable';
    case 'list':
      return 'quicklist';
    case 'string': {
      const s = e.value.text;
      if (asRedisInteger(s) !== undefined) return 'int';
      return s.length <= EMBSTR_MAX_BYTES ? 'embstr' : 'raw';
    }
  }
}

/**
 * OBJECT REFCOUNT: 1, except for a string holding an integer in [0, 10000), which Redis stores
 * as its shared object (INT_MAX references) unless maxmemory is set with an LRU policy.
 */
export function redisRefcount(e: Entry, sharesIntegers: boolean): number {
  if (e.type !== 'string' || !sharesIntegers) return 1;
  const n = asRedisInteger(e.value.text);
  return n !== undefined && n >= 0n && n < BigInt(SHARED_INTEGERS) ? SHARED_REFCOUNT : 1;
}

/** Whether Redis would share integer objects: maxmemory 0, or a policy that is not LRU or LFU. */
export const sharesIntegers = (maxMemoryBytes: number, policy: string): boolean =>
  maxMemoryBytes === 0 || !policy.endsWith('-lru');

function asRedisInteger(s: string): bigint | undefined {
  return s.length <= 20 ? parseInt64(s) : undefined;
}

function fitsListpack(e: HashEntry): boolean {
  const hash = e.value;
  if (hash.size > HASH_MAX_LISTPACK_ENTRIES) return false;
  for (const [field, value] of hash.entries()) {
    if (field.length > HASH_MAX_LISTPACK_VALUE || value.length > HASH_MAX_LISTPACK_VALUE) return false;
  }
  return true;
}
