import { ManualClock, SeededRandom } from '../../clock/index.js';
import type { BinStr } from '../bytes.js';
import type { RemovalReason } from '../entry.js';
import type { StoreOptions } from '../options.js';
import { Store } from '../store.js';

/**
 * A readable ring hash for tests: a key written `@123` or `@123:rest` sits at position 123, so a
 * test places keys exactly; any other key gets FNV-1a of its bytes.
 */
export function readableHash(key: BinStr): number {
  const m = /^@(\d+)(?::|$)/.exec(key);
  if (m !== null) return Number(m[1]) >>> 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface Removal {
  readonly key: BinStr;
  readonly reason: RemovalReason;
  readonly version: number;
}

export interface StoreFixture {
  readonly store: Store;
  readonly clock: ManualClock;
  readonly random: SeededRandom;
  /** Every onRemoved call, in order. */
  readonly removed: Removal[];
}

/** A store on a ManualClock (starting at 1_700_000_000_000 ms) with a seeded Random. */
export function makeStore(options: Partial<StoreOptions> = {}, seed = 7): StoreFixture {
  const clock = new ManualClock();
  const random = new SeededRandom(seed);
  const removed: Removal[] = [];
  const store = new Store(
    { clock, random, hashKey: readableHash, onRemoved: (key, reason, version) => removed.push({ key, reason, version }) },
    options,
  );
  return { store, clock, random, removed };
}

/** Writes a hash through the public write discipline (for store-level tests). */
export function putHash(store: Store, key: BinStr, pairs: Record<string, string>, version?: number): number {
  const e = store.hashForWrite(key);
  for (const [f, v] of Object.entries(pairs)) e.value.set(f, v);
  return store.commit(e, version);
}

/** Appends to a list through the public write discipline. */
export function putList(store: Store, key: BinStr, items: readonly string[], version?: number): number {
  const e = store.listForWrite(key);
  for (const v of items) e.value.pushBack(v);
  return store.commit(e, version);
}
