import xxhash from 'xxhash-wasm';
import type { XXHashAPI } from 'xxhash-wasm';

/**
 * A key as gokv holds it: one byte per char code (latin1), e.g. the UTF-8 bytes of a gRPC key.
 * The same alias as command/'s `BinStr`, declared here so ring/ imports nothing from gokv.
 */
export type BinStr = string;

/** Positions on the ring: unsigned 32-bit integers, xxHash32 with seed 0 (DESIGN.md section 6). */
export interface Hasher {
  /**
   * The ring position of a key: xxHash32 of the key's bytes (its char codes). gRPC keys arrive
   * as UTF-8 and are held as those bytes, so gRPC and RESP clients land on the same owner.
   * Does not allocate for ASCII keys. A plain function: safe to pass around unbound.
   */
  readonly keyPosition: (key: BinStr) => number;
  /** xxHash32 of the UTF-8 encoding of a JS text string; used for vnode names (`id#i`). */
  readonly textPosition: (text: string) => number;
}

const SEED = 0;
let loading: Promise<Hasher> | undefined;

/**
 * Loads xxhash-wasm once per process; every call returns the same Hasher. A failed load is not
 * cached, so a later call tries again.
 */
export function createHasher(): Promise<Hasher> {
  loading ??= xxhash().then(hasherOf, (err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

function hasherOf(api: XXHashAPI): Hasher {
  const { h32, h32Raw } = api;
  // Reused buffer for keys with bytes >= 0x80; grows to the longest such key seen.
  let scratch = new Uint8Array(256);

  const bytesPosition = (key: BinStr): number => {
    const length = key.length;
    if (scratch.length < length) scratch = new Uint8Array(Math.max(length, scratch.length * 2));
    for (let i = 0; i < length; i++) scratch[i] = key.charCodeAt(i);
    return h32Raw(scratch.subarray(0, length), SEED);
  };

  // The last key hashed and its position. One command asks for its key's position more than
  // once: the router to find the owner, then the store's position buckets when the command adds
  // or removes the key, or changes its TTL. Comparing the key again costs less than hashing it.
  let lastKey: BinStr | undefined;
  let lastPosition = 0;

  const keyPosition = (key: BinStr): number => {
    if (key === lastKey) return lastPosition;
    lastPosition = hashKey(key);
    lastKey = key;
    return lastPosition;
  };

  const hashKey = (key: BinStr): number => {
    // UTF-8 of ASCII text is the same bytes, so a key below 0x80 can go through h32 as text.
    for (let i = 0, n = key.length; i < n; i++) {
      if (key.charCodeAt(i) >= 0x80) return bytesPosition(key);
    }
    return h32(key, SEED);
  };

  const textPosition = (text: string): number => h32(text, SEED);

  return Object.freeze({ keyPosition, textPosition });
}
