import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES, hashFieldBytes } from './memory.js';
import type { EvictionPolicy, StoreOptions } from './options.js';
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

  describe('far over the limit (a transfer merged past it)', () => {
    // k10..k29: keys of three bytes, one more than KEY_BYTES counts.
    const LIMIT = (KEY_BYTES + 1) * 5;

    /** 20 keys merged in, as a hand-off or restore does (never refused for memory), over a limit of 5. */
    function mergedPast(options: Partial<StoreOptions>) {
      const fixture = makeStore({ maxMemoryBytes: LIMIT, evictionChunk: 4, ...options });
      for (let i = 10; i < 30; i++) {
        fixture.store.mergeKey(`k${i}`, { type: 'hash', value: ['f', 'v'], expireAtMs: 0, version: 10 });
      }
      return fixture;
    }

    it('evicts at most evictionChunk keys per write, which goes on meanwhile', () => {
      const { store, removed } = mergedPast({});
      expect(store.size).toBe(20);
      store.ensureMemory(); // does not throw: eviction is in progress
      expect(removed).toHaveLength(4);
      expect(store.evicting).toBe(true);
      for (let i = 0; i < 3; i++) store.ensureMemory();
      expect(store.size).toBe(5);
      expect(store.evicting).toBe(false);
      expect(store.usedMemory).toBeLessThanOrEqual(LIMIT);
    });

    it('goes on in active-expiry cycles when no write comes, each asking to come back soon', () => {
      const { store } = mergedPast({});
      const cycles = [];
      do cycles.push(store.activeExpireCycle(25));
      while (cycles.at(-1)!.evicting && cycles.length < 10);
      expect(cycles.map((c) => c.evicting)).toEqual([true, true, true, false]);
      expect(store.size).toBe(5);
      expect(store.counters.evictedKeys).toBe(15);
    });

    it('stops asking for cycles once something else brought it under', () => {
      const { store } = mergedPast({});
      store.ensureMemory();
      expect(store.evicting).toBe(true);
      for (let i = 10; i < 30; i++) store.forget(`k${i}`, 10); // handed off elsewhere: no tombstones
      expect(store.usedMemory).toBe(0);
      expect(store.activeExpireCycle(25).evicting).toBe(false);
    });

    it('still refuses under noeviction', () => {
      const { store } = mergedPast({ evictionPolicy: 'noeviction' });
      expect(() => store.ensureMemory()).toThrow(/^OOM/);
      expect(store.evicting).toBe(false);
    });
  });

  describe('tombstones', () => {
    // A limit of 10 keys; a quarter of it (520 B) holds 4 tombstones of a two-byte key.
    const limits = { maxMemoryBytes: KEY_BYTES * 10, tombstoneMemoryShare: 0.25, tombstoneMinRetentionMs: 1000 };

    /** Writes then deletes k0..k(n-1), 1 ms apart, so k0's tombstone is the oldest. */
    function deleteKeys(store: Store, clock: { advance(ms: number): void }, n: number): void {
      for (let i = 0; i < n; i++) {
        putHash(store, `k${i}`, { f: 'v' });
        store.delete(`k${i}`);
        clock.advance(1);
      }
    }

    function fillFrom(store: Store, from: number, n: number): void {
      for (let i = from; i < from + n; i++) {
        store.ensureMemory();
        putHash(store, `k${i}`, { f: 'v' });
      }
    }

    /** The first of k0..k9 whose tombstone is still held. */
    const oldestHeld = (store: Store) => Array.from({ length: 10 }, (_, i) => `k${i}`).find((k) => store.tombstone(k));

    type Outcome = { tombstones: number; early: number; evicted: number; oldest: string };
    it.each<[string, Partial<StoreOptions>, number, number, Outcome]>([
      // 9 keys and 6 tombstones were 2604 B against 2080 B. Pruning goes to 1/64 of the limit
      // (32.5 B) below the tombstones' share: the three oldest go, then one key for the rest.
      ['count against the limit: the oldest past their share go first, then keys', {}, 6, 9, { tombstones: 3, early: 3, evicted: 1, oldest: 'k3' }],
      ['past their retention, go first and do not count as dropped early', { tombstoneRetentionMs: 1000 }, 6, 9, { tombstones: 3, early: 0, evicted: 1, oldest: 'k3' }],
      // 6 keys (1248 B) leave 832 B less 32.5 B: 6 tombstones (732 B) stay, above their share.
      ['are dropped only down to what the keys leave free', {}, 8, 6, { tombstones: 6, early: 2, evicted: 0, oldest: 'k2' }],
    ])('%s', (_name, options, deleted, written, expected) => {
      const { store, clock } = makeStore({ ...limits, ...options });
      deleteKeys(store, clock, deleted);
      clock.advance(1000); // past the minimum retention (the maintenance cycle has not run)
      fillFrom(store, 10, written);
      store.ensureMemory();
      const { tombstonesPrunedEarly: early, evictedKeys: evicted } = store.counters;
      expect({ tombstones: store.tombstoneCount, early, evicted, oldest: oldestHeld(store) }).toEqual(expected);
      expect(store.usedMemory).toBeLessThanOrEqual(KEY_BYTES * 10);
    });

    it('too young to drop, are looked at again once the oldest is past the minimum retention', () => {
      const { store, clock } = makeStore(limits);
      deleteKeys(store, clock, 6); // k0 deleted at t, the clock now at t + 6
      fillFrom(store, 10, 9);
      store.ensureMemory(); // over: every tombstone too young, so keys were evicted instead
      expect(store.tombstoneCount).toBe(6);
      expect(store.counters.evictedKeys).toBeGreaterThan(0);
      clock.advance(993); // t + 999: k0 is still 1 ms short of the minimum retention
      fillFrom(store, 30, 1);
      store.ensureMemory();
      expect(store.tombstone('k0')).toBeDefined();
      clock.advance(1); // t + 1000
      fillFrom(store, 40, 1);
      store.ensureMemory();
      expect(store.tombstone('k0')).toBeUndefined();
      expect(store.counters.tombstonesPrunedEarly).toBeGreaterThan(0);
    });

    it('younger than the minimum retention are kept: noeviction answers OOM for them', () => {
      const { store, clock } = makeStore({ ...limits, evictionPolicy: 'noeviction' });
      deleteKeys(store, clock, 6);
      fillFrom(store, 10, 7);
      putHash(store, 'k20', { f: 'v' });
      putHash(store, 'k21', { f: 'v' });
      expect(() => store.ensureMemory()).toThrow(/^OOM/);
      expect(store.tombstoneCount).toBe(6);
      expect(store.counters.tombstonesPrunedEarly).toBe(0);
    });

    it('are kept for their whole retention while the store is under its limit', () => {
      const { store, clock } = makeStore(limits);
      deleteKeys(store, clock, 12); // 1464 B, past their share but under the limit
      clock.advance(10_000);
      fillFrom(store, 20, 2);
      store.ensureMemory();
      expect(store.tombstoneCount).toBe(12);
      expect(store.counters.tombstonesPrunedEarly).toBe(0);
    });

    it('a stream of deletes alone stays under the limit', () => {
      const { store, clock } = makeStore({ ...limits, evictionPolicy: 'noeviction', tombstoneMinRetentionMs: 50 });
      for (let i = 0; i < 500; i++) {
        putHash(store, `d${i}`, { f: 'v' });
        store.delete(`d${i}`);
        clock.advance(10);
        expect(store.usedMemory).toBeLessThanOrEqual(KEY_BYTES * 10);
      }
      expect(store.counters.tombstonesPrunedEarly).toBeGreaterThan(400);
      expect(store.tombstone('d499')).toBeDefined();
      expect(store.tombstone('d0')).toBeUndefined();
    });

    it('the maintenance cycle prunes them too, a bounded chunk at a time', () => {
      const { store, clock } = makeStore({ ...limits, tombstonePruneChunk: 3 });
      deleteKeys(store, clock, 9);
      clock.advance(1000);
      for (let i = 20; i < 29; i++) putHash(store, `k${i}`, { f: 'v' }); // 1872 of 2080 B
      expect(store.pruneTombstones()).toBe(3);
      expect(store.pruneTombstones()).toBe(3);
      // 3 tombstones (366 B) are within their share less 1/64 of the limit (487.5 B), though
      // the store is still over.
      expect(store.pruneTombstones()).toBe(0);
      expect(store.tombstoneCount).toBe(3);
      expect(store.usedMemory).toBeGreaterThan(KEY_BYTES * 10);
    });
  });
});
