import { describe, expect, it } from 'vitest';
import { type Clock, ManualClock, SeededRandom } from '../clock/index.js';
import { type ExpireCycleResult, runExpireCycle, startActiveExpiry } from './active-expiry.js';
import type { EntryArray } from './entry-array.js';
import type { StoredEntry } from './entry.js';
import { Store } from './store.js';
import { makeStore, putHash, readableHash } from './testing/fixtures.js';

function addWithTtl(store: Store, key: string, ttlMs: number): void {
  putHash(store, key, { f: 'v' });
  const e = store.get(key)!;
  store.setExpireAt(e, store.nowMs() + ttlMs);
  store.commit(e);
}

describe('activeExpireCycle', () => {
  it('deletes expired keys without touching them one by one from outside', () => {
    const { store, clock, removed } = makeStore();
    for (let i = 0; i < 100; i++) addWithTtl(store, `gone${i}`, 1000);
    for (let i = 0; i < 100; i++) addWithTtl(store, `kept${i}`, 60_000);
    for (let i = 0; i < 50; i++) putHash(store, `plain${i}`, { f: 'v' });
    clock.advance(1000);
    const result = store.activeExpireCycle(25);
    // It keeps going while more than a quarter of a sample is expired, so most go in one cycle.
    expect(result.expired).toBeGreaterThan(60);
    expect(store.counters.expiredKeys).toBe(result.expired);
    expect(removed.every((r) => r.reason === 'expired' && r.key.startsWith('gone'))).toBe(true);
    expect(store.size).toBe(250 - result.expired);
    for (let i = 0; i < 100; i++) expect(store.peek(`kept${i}`)).toBeDefined();
  });

  it('stops after one round when a quarter or less of the sample is expired', () => {
    const { store, clock } = makeStore();
    for (let i = 0; i < 2; i++) addWithTtl(store, `gone${i}`, 10);
    for (let i = 0; i < 200; i++) addWithTtl(store, `kept${i}`, 60_000);
    clock.advance(10);
    const result = store.activeExpireCycle(25);
    expect(result.rounds).toBe(1);
    expect(result.sampled).toBe(20);
  });

  it('stops after a round exactly a quarter of whose sample was expired', () => {
    // 20 entries, 5 of them expired, each sampled once in turn: 5 * 4 is not more than 20.
    const clock = new ManualClock();
    const entries = Array.from({ length: 20 }, (_, i) => ({ expireAtMs: i < 5 ? clock.now() - 1 : clock.now() + 60_000 }));
    const volatile = { size: entries.length, at: (i: number) => entries[i] } as unknown as EntryArray;
    let next = 0;
    const random = { int: (n: number) => next++ % n, next: () => 0 };
    const expire = (e: StoredEntry) => {
      (e as { expireAtMs: number }).expireAtMs = Number.MAX_SAFE_INTEGER; // gone: never a hit again
    };
    const result = runExpireCycle({ clock, random, volatile, expire, samples: 20, maxRounds: 16 }, 25);
    expect(result).toEqual({ rounds: 1, sampled: 20, expired: 5, timedOut: false });
  });

  it('stops on its time budget, measured on the monotonic clock', () => {
    const clock = new ManualClock();
    // Monotonic time moves 1 ms per reading, as a slow cycle would see it: the cycle's own and
    // each expiry's tombstone's (20 a round), so a round takes 21 ms and a third one ends past 50.
    let mono = 0;
    const ticking: Clock = {
      now: () => clock.now(),
      monotonic: () => mono++,
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
      clearTimeout: (h) => clock.clearTimeout(h),
    };
    const store = new Store({ clock: ticking, random: new SeededRandom(1), hashKey: readableHash });
    for (let i = 0; i < 1000; i++) addWithTtl(store, `gone${i}`, 10);
    clock.advance(10);
    const result = store.activeExpireCycle(50);
    expect(result.timedOut).toBe(true);
    expect(result.rounds).toBe(3);
    expect(store.size).toBeGreaterThan(900);
  });

  it('does nothing without keys with a TTL, and prunes old tombstones', () => {
    const { store, clock } = makeStore({ tombstoneRetentionMs: 100 });
    putHash(store, 'h', { f: 'v' });
    store.delete('h');
    clock.advance(100);
    expect(store.activeExpireCycle(25)).toEqual({ rounds: 0, sampled: 0, expired: 0, tombstonesPruned: 1, timedOut: false, evicting: false });
  });
});

describe('startActiveExpiry', () => {
  it('runs a cycle every interval on the injected clock until stopped', () => {
    const { store, clock } = makeStore();
    const results: ExpireCycleResult[] = [];
    for (let i = 0; i < 10; i++) addWithTtl(store, `k${i}`, 150);
    const stop = startActiveExpiry(store, clock, 100, 5, (r) => results.push(r));
    clock.advance(99);
    expect(results).toHaveLength(0);
    clock.advance(1);
    expect(results).toHaveLength(1);
    expect(store.size).toBe(10); // nothing due yet
    clock.advance(100);
    expect(results).toHaveLength(2);
    expect(store.size).toBe(0);
    stop();
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(1000);
    expect(results).toHaveLength(2);
  });

  it('comes back after 1 ms while a cycle leaves evictions to do', () => {
    const { clock } = makeStore();
    const evicting = [true, true, false];
    const results: ExpireCycleResult[] = [];
    const store = {
      activeExpireCycle: (): ExpireCycleResult => ({
        rounds: 0, sampled: 0, expired: 0, tombstonesPruned: 0, timedOut: false, evicting: evicting.shift() ?? false,
      }),
    };
    const stop = startActiveExpiry(store, clock, 100, 5, (r) => results.push(r));
    clock.advance(100);
    clock.advance(1);
    clock.advance(1);
    expect(results.map((r) => r.evicting)).toEqual([true, true, false]);
    clock.advance(99);
    expect(results).toHaveLength(3);
    clock.advance(1);
    expect(results).toHaveLength(4);
    stop();
  });
});
