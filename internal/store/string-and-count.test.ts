import { describe, expect, it } from 'vitest';
import { STRING_ENTRY_OVERHEAD_BYTES } from './memory.js';
import { putHash, makeStore } from './testing/fixtures.js';
import type { Store } from './store.js';

function putString(store: Store, key: string, value: string, expireAtMs = 0): number {
  const e = store.stringForOverwrite(key);
  e.value.set(value);
  store.setExpireAt(e, expireAtMs);
  return store.commit(e);
}

describe('string values', () => {
  it('are charged their key and bytes plus a fixed overhead, and back to 0 when deleted', () => {
    const { store } = makeStore();
    putString(store, 'k', 'hello');
    expect(store.keysMemory).toBe(STRING_ENTRY_OVERHEAD_BYTES + 1 + 5);
    const e = store.stringForWrite('k');
    e.value.append('!!');
    store.commit(e);
    expect(store.keysMemory).toBe(STRING_ENTRY_OVERHEAD_BYTES + 1 + 7);
    store.delete('k');
    expect(store.keysMemory).toBe(0);
  });

  it('replace a hash whole when overwritten, re-charging memory', () => {
    const { store } = makeStore();
    putHash(store, 'k', { a: '1', b: '2' });
    putString(store, 'k', 'v');
    expect(store.peek('k')?.type).toBe('string');
    expect(store.size).toBe(1);
    expect(store.keysMemory).toBe(STRING_ENTRY_OVERHEAD_BYTES + 2);
  });

  it('travel as [bytes] in transfer state and merge into another store', () => {
    const a = makeStore();
    const b = makeStore();
    putString(a.store, 'k', '\xff\x00', a.clock.now() + 5000);
    const state = a.store.exportKey('k')!;
    expect(state).toMatchObject({ type: 'string', value: ['\xff\x00'], expireAtMs: a.clock.now() + 5000 });
    expect(b.store.mergeKey('k', state)).toBe(true);
    expect(b.store.exportKey('k')).toEqual(state);
  });

  it('refuse a malformed string state (two values) as INTERNAL', () => {
    const { store } = makeStore();
    expect(() => store.mergeKey('k', { type: 'string', value: ['a', 'b'], expireAtMs: 0, version: 5 })).toThrow(/INTERNAL/);
  });
});

describe('countKeysIn', () => {
  it('counts keys and keys with a TTL in a range, whole and edge buckets alike', () => {
    const { store, clock } = makeStore();
    // `@N` keys sit at ring position N (readableHash); 65536 positions per bucket.
    const positions = [0, 10, 65_535, 65_536, 70_000, 200_000, 4_294_967_295];
    positions.forEach((p, i) => putString(store, `@${p}`, 'v', i % 2 === 0 ? clock.now() + 1000 : 0));
    expect(store.countKeysIn(0, 2 ** 32)).toEqual({ keys: 7, expires: 4, ttlSumMs: 4000 });
    expect(store.countKeysIn(10, 65_537)).toEqual({ keys: 3, expires: 1, ttlSumMs: 1000 });
    expect(store.countKeysIn(65_536, 131_072)).toEqual({ keys: 2, expires: 1, ttlSumMs: 1000 });
    expect(store.countKeysIn(11, 65_535)).toEqual({ keys: 0, expires: 0, ttlSumMs: 0 });
    expect(store.countKeysIn(4_294_967_295, 2 ** 32)).toEqual({ keys: 1, expires: 1, ttlSumMs: 1000 });
  });

  it('follows TTLs set, cleared and keys removed', () => {
    const { store, clock } = makeStore();
    putString(store, '@5', 'v');
    putString(store, '@6', 'v', clock.now() + 100);
    expect(store.countKeysIn(0, 2 ** 32)).toEqual({ keys: 2, expires: 1, ttlSumMs: 100 });
    const e = store.stringForWrite('@5');
    store.setExpireAt(e, clock.now() + 50);
    store.commit(e);
    expect(store.countKeysIn(0, 2 ** 32)).toEqual({ keys: 2, expires: 2, ttlSumMs: 150 });
    const f = store.stringForWrite('@6');
    store.setExpireAt(f, 0);
    store.commit(f);
    expect(store.countKeysIn(0, 2 ** 32)).toEqual({ keys: 2, expires: 1, ttlSumMs: 50 });
    clock.advance(50);
    expect(store.get('@5')).toBeUndefined(); // expired on access
    expect(store.countKeysIn(0, 2 ** 32)).toEqual({ keys: 1, expires: 0, ttlSumMs: 0 });
  });
});
