import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES, hashFieldBytes } from './memory.js';
import type { EvictionPolicy } from './options.js';
import type { Store } from './store.js';
import { makeStore, putHash } from './testing/fixtures.js';

// Every test key is `kN` with one field `f` = `v`: the same size, so limits count keys.
const KEY_BYTES = ENTRY_OVERHEAD_BYTES + 2 + hashFieldBytes('f', 'v');

function fill(store: Store, n: number): void {
  for (let i = 0; i < n; i++) putHash(store, `k${i}`, { f: 'v' });
}

function withTtl(store: Store, key: string, ms: number, now: number): void {
  const e = store.get(key)!;
  store.setExpireAt(e, now + ms);
  store.commit(e);
}

describe('eviction', () => {
  it.each<[EvictionPolicy]>([['allkeys-lru'], ['allkeys-random'], ['volatile-lru']])(
    '%s brings memory back under the limit and counts evictions',
    (policy) => {
      const { store, clock, removed } = makeStore({ maxMemoryBytes: KEY_BYTES * 5, evictionPolicy: policy });
      fill(store, 8);
      for (let i = 0; i < 8; i++) withTtl(store, `k${i}`, 60_000, clock.now());
      store.ensureMemory();
      expect(store.usedMemory).toBeLessThanOrEqual(KEY_BYTES * 5);
      expect(store.size).toBe(5);
      expect(store.counters.evictedKeys).toBe(3);
      expect(removed.map((r) => r.reason)).toEqual(['evicted', 'evicted', 'evicted']);
    },
  );

  it('allkeys-lru evicts the least recently used keys (samples cover every key)', () => {
    const { store } = makeStore({ maxMemoryBytes: KEY_BYTES * 3, evictionSamples: 64 });
    fill(store, 5);
    store.get('k0'); // used recently: k1 and k2 are now the oldest
    store.get('k3');
    store.get('k4');
    store.ensureMemory();
    expect(['k0', 'k1', 'k2', 'k3', 'k4'].filter((k) => store.peek(k) !== undefined)).toEqual(['k0', 'k3', 'k4']);
  });

  it('volatile-lru evicts only keys with a TTL', () => {
    const { store, clock } = makeStore({ maxMemoryBytes: KEY_BYTES * 3, evictionPolicy: 'volatile-lru' });
    fill(store, 5);
    withTtl(store, 'k1', 60_000, clock.now());
    withTtl(store, 'k3', 60_000, clock.now());
    store.ensureMemory();
    expect(store.peek('k1')).toBeUndefined();
    expect(store.peek('k3')).toBeUndefined();
    expect(store.size).toBe(3);
  });

  it.each<[string, EvictionPolicy, boolean]>([
    ['noeviction refuses', 'noeviction', false],
    ['volatile-lru without keys with a TTL refuses', 'volatile-lru', false],
  ])('%s with OOM', (_name, policy) => {
    const { store } = makeStore({ maxMemoryBytes: KEY_BYTES * 2, evictionPolicy: policy });
    fill(store, 3);
    expect(() => store.ensureMemory()).toThrow("OOM command not allowed when used memory > 'maxmemory'");
    expect(store.size).toBe(3);
    expect(store.evictToLimit()).toBe(false);
  });

  it('does nothing while under the limit or when unlimited', () => {
    const limited = makeStore({ maxMemoryBytes: KEY_BYTES * 3 });
    fill(limited.store, 3);
    limited.store.ensureMemory();
    expect(limited.store.size).toBe(3);
    const unlimited = makeStore({ maxMemoryBytes: 0, evictionPolicy: 'noeviction' });
    fill(unlimited.store, 100);
    expect(() => unlimited.store.ensureMemory()).not.toThrow();
  });

  it('forgets an evicted key entirely (no tombstone), so a resync can restore it', () => {
    const { store } = makeStore({ maxMemoryBytes: KEY_BYTES, evictionPolicy: 'allkeys-random' });
    putHash(store, 'k0', { f: 'v' }, 10);
    putHash(store, 'k1', { f: 'v' }, 10);
    store.ensureMemory();
    const gone = store.peek('k0') === undefined ? 'k0' : 'k1';
    expect(store.tombstone(gone)).toBeUndefined();
    expect(store.versionOf(gone)).toBe(0);
    expect(store.mergeKey(gone, { type: 'hash', value: ['f', 'v2'], expireAtMs: 0, version: 11 })).toBe(true);
  });
});
