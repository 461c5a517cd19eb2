import { describe, expect, it } from 'vitest';
import type { KeyState } from './entry.js';
import type { Store } from './store.js';
import { makeStore, putHash, putList } from './testing/fixtures.js';

const T0 = 1_700_000_000_000; // ManualClock's start

describe('versions', () => {
  it('stamps the wall clock and then grows by at least one per write', () => {
    const { store, clock } = makeStore();
    expect(putHash(store, 'h', { a: '1' })).toBe(T0);
    expect(putHash(store, 'h', { b: '2' })).toBe(T0 + 1); // same ms: last + 1
    clock.advance(100);
    expect(putHash(store, 'h', { c: '3' })).toBe(T0 + 100);
    expect(store.versionOf('h')).toBe(T0 + 100);
  });

  it('keeps growing when the wall clock steps back', () => {
    const { store, clock } = makeStore();
    putHash(store, 'h', { a: '1' });
    clock.setWallClock(T0 - 60_000);
    expect(putHash(store, 'h', { a: '2' })).toBe(T0 + 1);
  });

  it('stamps above the tombstone of a deleted key when it is recreated', () => {
    const { store, clock } = makeStore();
    putHash(store, 'h', { a: '1' }, T0 + 500);
    expect(store.delete('h')).toBe(T0 + 501);
    expect(putList(store, 'h', ['x'])).toBe(T0 + 502);
    expect(store.tombstone('h')).toBeUndefined(); // superseded by the live key
    clock.advance(10_000);
    expect(store.nextVersion('h')).toBe(T0 + 10_000);
  });

  it('uses an explicit version as given (a replica applying its leader)', () => {
    const { store } = makeStore();
    expect(putHash(store, 'h', { a: '1' }, 42)).toBe(42);
    expect(store.exportKey('h')).toMatchObject({ version: 42 });
    expect(store.delete('h', 43)).toBe(43);
    expect(store.exportKey('h')).toEqual({ deleted: true, version: 43 });
  });

  it('gives an expired key a tombstone version every copy computes alike', () => {
    const a = makeStore();
    const b = makeStore();
    for (const { store, clock } of [a, b]) {
      putHash(store, 'h', { a: '1' }, T0 + 5);
      const e = store.get('h')!;
      store.setExpireAt(e, T0 + 2000);
      store.commit(e, T0 + 6);
      clock.advance(2500);
    }
    a.store.activeExpireCycle(10); // one copy expires it actively, the other lazily
    expect(a.store.exportKey('h')).toEqual({ deleted: true, version: T0 + 7 });
    expect(b.store.exportKey('h')).toEqual({ deleted: true, version: T0 + 7 });
  });
  it('lets a write made before the expiry win over another copy\'s expiry of the older version', () => {
    // The leader's clock had not reached the expiry when it cleared the TTL; another copy's had.
    const leader = makeStore();
    const other = makeStore();
    for (const { store } of [leader, other]) {
      putHash(store, 'h', { a: '1' }, T0);
      const e = store.get('h')!;
      store.setExpireAt(e, T0 + 1000);
      store.commit(e, T0 + 1);
    }
    leader.clock.advance(999);
    other.clock.advance(1000);
    const e = leader.store.get('h')!;
    leader.store.setExpireAt(e, 0);
    leader.store.commit(e); // PERSIST at T0 + 999
    expect(other.store.get('h')).toBeUndefined();
    const persisted = leader.store.exportKey('h')!;
    expect(leader.store.mergeKey('h', other.store.exportKey('h')!)).toBe(false);
    expect(other.store.mergeKey('h', persisted)).toBe(true);
    expect(other.store.exportKey('h')).toEqual(persisted);
  });

  it.each([
    ['PERSIST', (store: Store, e: ReturnType<Store['get']> & object) => store.setExpireAt(e, 0)],
    ['a longer TTL', (store: Store, e: ReturnType<Store['get']> & object) => store.setExpireAt(e, T0 + 60_000)],
    ['a write keeping the TTL', () => undefined],
  ])('ranks %s above another copy\'s expiry even when versions run ahead of the clock', (_name, change) => {
    // The key's version is ahead of the leader's wall clock (a hot key; a clock behind the last
    // writer's), so the next write would be version + 1: the version of the other copy's expiry
    // tombstone, which wins the tie. A hand-off then keeps the key deleted there, and the
    // leader's next write (prior version = that tombstone's) is applied to a missing key.
    const leader = makeStore();
    const other = makeStore();
    for (const { store } of [leader, other]) {
      putHash(store, 'h', { a: '1' }, T0 + 50);
      const e = store.get('h')!;
      store.setExpireAt(e, T0 + 10);
      store.commit(e, T0 + 51);
    }
    other.clock.advance(20);
    expect(other.store.exportKey('h')).toEqual({ deleted: true, version: T0 + 52 });
    const e = leader.store.get('h')!;
    change(leader.store, e);
    leader.store.commit(e);
    const written = leader.store.exportKey('h')!;
    expect(written.version).toBeGreaterThan(T0 + 52);
    expect(other.store.mergeKey('h', written)).toBe(true);
  });
});

describe('exportKey and mergeKey', () => {
  it('exports hashes flat and lists in order, with expiry and version', () => {
    const { store, clock } = makeStore();
    putHash(store, 'h', { f1: 'v1', f2: 'v2' }, 7);
    putList(store, 'l', ['a', 'b'], 8);
    const e = store.get('l')!;
    store.setExpireAt(e, clock.now() + 100);
    store.commit(e, 9);
    expect(store.exportKey('h')).toEqual({ type: 'hash', value: ['f1', 'v1', 'f2', 'v2'], expireAtMs: 0, version: 7 });
    expect(store.exportKey('l')).toEqual({ type: 'list', value: ['a', 'b'], expireAtMs: T0 + 100, version: 9 });
    expect(store.exportKey('missing')).toBeUndefined();
  });

  const live = (version: number, value: string[] = ['f', 'new']): KeyState => ({
    type: 'hash',
    value,
    expireAtMs: 0,
    version,
  });

  it.each<[string, 'live' | 'tombstone' | 'none', KeyState, boolean, KeyState | undefined]>([
    ['a newer copy replaces the local key', 'live', live(20), true, live(20)],
    ['an older copy is refused', 'live', live(5), false, live(10, ['f', 'old'])],
    ['a copy of the same version that ranks lower is refused', 'live', live(10), false, live(10, ['f', 'old'])],
    ['a copy of the same version that ranks higher is applied', 'live', live(10, ['f', 'then']), true, live(10, ['f', 'then'])],
    ['a copy of the deleted version cannot bring the key back', 'tombstone', live(11), false, { deleted: true, version: 11 }],
    ['a newer deletion deletes', 'live', { deleted: true, version: 11 }, true, { deleted: true, version: 11 }],
    ['an older copy cannot resurrect a deleted key', 'tombstone', live(10), false, { deleted: true, version: 11 }],
    ['a copy newer than the tombstone recreates the key', 'tombstone', live(12), true, live(12)],
    ['a copy lands on a missing key', 'none', live(1), true, live(1)],
    ['a deletion of a missing key is remembered', 'none', { deleted: true, version: 3 }, true, { deleted: true, version: 3 }],
    ['an empty value counts as a deletion', 'none', live(4, []), true, { deleted: true, version: 4 }],
  ])('%s', (_name, local, incoming, applied, after) => {
    const { store } = makeStore();
    if (local !== 'none') putHash(store, 'k', { f: 'old' }, 10);
    if (local === 'tombstone') store.delete('k', 11);
    expect(store.mergeKey('k', incoming)).toBe(applied);
    expect(store.exportKey('k')).toEqual(after);
  });

  it('turns a copy that expired in flight into a tombstone', () => {
    const { store, clock } = makeStore();
    const state: KeyState = { type: 'list', value: ['a'], expireAtMs: clock.now() - 1, version: 5 };
    expect(store.mergeKey('k', state)).toBe(true);
    // At the version every copy gives this expiry (version + 1), as if it had expired here.
    expect(store.exportKey('k')).toEqual({ deleted: true, version: 6 });
    expect(store.size).toBe(0);
  });

  it('replaces a key of another type and keeps memory and TTL indexes exact', () => {
    const { store, clock } = makeStore();
    putHash(store, 'k', { f: 'v' }, 1);
    store.mergeKey('k', { type: 'list', value: ['a', 'b'], expireAtMs: clock.now() + 50, version: 2 });
    const fresh = makeStore();
    putList(fresh.store, 'k', ['a', 'b']);
    expect(store.usedMemory).toBe(fresh.store.usedMemory);
    expect(store.keysWithTtl).toBe(1);
    expect(store.getList('k')?.value.toArray()).toEqual(['a', 'b']);
    clock.advance(50);
    expect(store.get('k')).toBeUndefined();
  });

  it('rejects a malformed hash state', () => {
    const { store } = makeStore();
    expect(() => store.mergeKey('k', { type: 'hash', value: ['f'], expireAtMs: 0, version: 1 })).toThrow(/INTERNAL/);
  });
});

describe('tombstones', () => {
  it('are kept for the retention, then pruned in bounded chunks, oldest first', () => {
    const { store, clock } = makeStore({ tombstoneRetentionMs: 1000, tombstonePruneChunk: 2 });
    for (let i = 0; i < 5; i++) putHash(store, `k${i}`, { f: 'v' });
    for (let i = 0; i < 4; i++) store.delete(`k${i}`);
    clock.advance(500);
    store.delete('k4'); // younger than the rest
    expect(store.pruneTombstones()).toBe(0);
    clock.advance(500);
    expect(store.pruneTombstones()).toBe(2);
    expect(store.pruneTombstones()).toBe(2);
    expect(store.pruneTombstones()).toBe(0); // k4 is only 500 ms old
    expect(store.tombstone('k4')).toBeDefined();
    expect(store.tombstoneCount).toBe(1);
  });

  it.each([
    ['forward by a day', 86_400_000],
    ['back by an hour', -3_600_000],
  ])('are kept for the retention in elapsed time when the wall clock steps %s', (_name, stepMs) => {
    const { store, clock } = makeStore({ tombstoneRetentionMs: 1000 });
    putHash(store, 'k', { f: 'old' });
    const stale = store.exportKey('k')!; // a copy that missed the delete (a replica cut off)
    store.delete('k');
    clock.advance(500);
    clock.setWallClock(clock.now() + stepMs);
    expect(store.pruneTombstones()).toBe(0);
    expect(store.mergeKey('k', stale)).toBe(false); // still deleted
    putHash(store, 'j', { f: 'v' });
    store.delete('j'); // deleted after the step
    clock.advance(500);
    expect(store.pruneTombstones()).toBe(1); // k: 1000 ms old
    expect(store.tombstone('j')).toBeDefined();
    clock.advance(500);
    expect(store.pruneTombstones()).toBe(1);
  });

  it('moves a re-deleted key to the young end of the queue', () => {
    const { store, clock } = makeStore({ tombstoneRetentionMs: 1000 });
    putHash(store, 'a', { f: 'v' });
    putHash(store, 'b', { f: 'v' });
    store.delete('a');
    store.delete('b');
    clock.advance(600);
    putHash(store, 'a', { f: 'v' });
    store.delete('a');
    clock.advance(400);
    expect(store.pruneTombstones()).toBe(1);
    expect(store.tombstone('a')).toBeDefined();
    expect(store.tombstone('b')).toBeUndefined();
  });
});

describe('two copies stamped with the same version (both sides of a partition wrote the key)', () => {
  /** Two nodes' stores, each holding its own copy of `k` at version 10; then each merges the other's. */
  function cross(a: (s: Store) => void, b: (s: Store) => void) {
    const one = makeStore().store;
    const two = makeStore().store;
    a(one);
    b(two);
    const fromOne = one.exportKey('k')!;
    const fromTwo = two.exportKey('k')!;
    const applied = [one.mergeKey('k', fromTwo), two.mergeKey('k', fromOne)];
    return { one, two, applied };
  }

  it.each<[string, (s: Store) => void, (s: Store) => void]>([
    ['two hashes', (s) => putHash(s, 'k', { f: 'minority', g: '1' }, 10), (s) => putHash(s, 'k', { f: 'majority' }, 10)],
    ['two lists', (s) => putList(s, 'k', ['a', 'minority'], 10), (s) => putList(s, 'k', ['a', 'majority'], 10)],
    ['a hash and a list', (s) => putHash(s, 'k', { f: 'v' }, 10), (s) => putList(s, 'k', ['a'], 10)],
    ['a value and a deletion', (s) => putList(s, 'k', ['a'], 10), (s) => {
      putList(s, 'k', ['a'], 9);
      s.delete('k', 10);
    }],
  ])('%s end the same on both nodes, whichever way they cross', (_name, a, b) => {
    const { one, two, applied } = cross(a, b);
    expect(one.exportKey('k')).toEqual(two.exportKey('k'));
    expect(applied.filter(Boolean)).toHaveLength(1); // exactly one side took the other's copy
  });

  it('leaves equal values alone, a hash\'s fields in any order', () => {
    const { one, two, applied } = cross((s) => putHash(s, 'k', { f: '1', g: '2' }, 10), (s) => putHash(s, 'k', { g: '2', f: '1' }, 10));
    expect(applied).toEqual([false, false]);
    expect(one.exportKey('k')).toMatchObject({ value: ['f', '1', 'g', '2'] });
    expect(two.exportKey('k')).toMatchObject({ value: ['g', '2', 'f', '1'] }); // each kept its own
  });
});
