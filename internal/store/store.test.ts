import { describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import { ENTRY_OVERHEAD_BYTES, entryOverheadBytes, hashFieldBytes, listElementBytes, TOMBSTONE_OVERHEAD_BYTES } from './memory.js';
import type { Store } from './store.js';
import { makeStore, putHash, putList } from './testing/fixtures.js';

/** Memory recomputed from scratch out of every key's exported state. */
function recomputedMemory(store: Store, keys: Iterable<string>): number {
  let total = 0;
  for (const key of keys) {
    const s = store.peek(key);
    if (s === undefined) continue;
    total += entryOverheadBytes(s.type) + key.length;
    if (s.type === 'hash') for (const [f, v] of s.value.entries()) total += hashFieldBytes(f, v);
    else if (s.type === 'list') for (const v of s.value.toArray()) total += listElementBytes(v);
  }
  return total;
}

describe('Store lookups', () => {
  it('returns undefined for a missing key and the entry for a present one', () => {
    const { store } = makeStore();
    expect(store.get('h')).toBeUndefined();
    putHash(store, 'h', { f: 'v' });
    expect(store.get('h')?.type).toBe('hash');
    expect(store.size).toBe(1);
  });

  it.each([
    ['getList on a hash', (s: Store) => s.getList('h')],
    ['listForWrite on a hash', (s: Store) => s.listForWrite('h')],
    ['getHash on a list', (s: Store) => s.getHash('l')],
    ['hashForWrite on a list', (s: Store) => s.hashForWrite('l')],
  ])('throws WRONGTYPE: %s', (_name, op) => {
    const { store } = makeStore();
    putHash(store, 'h', { f: 'v' });
    putList(store, 'l', ['a']);
    expect(() => op(store)).toThrow('WRONGTYPE Operation against a key holding the wrong kind of value');
  });

  it('keeps a new entry invisible until it is committed non-empty', () => {
    const { store } = makeStore();
    const e = store.hashForWrite('h');
    expect(store.get('h')).toBeUndefined();
    store.commit(e); // still empty: nothing is created
    expect(store.get('h')).toBeUndefined();
    e.value.set('f', 'v');
    store.commit(e);
    expect(store.getHash('h')?.value.get('f')).toBe('v');
  });

  it('lets the later of two detached entries for one key win without corrupting indexes', () => {
    const { store } = makeStore();
    const a = store.hashForWrite('h');
    const b = store.hashForWrite('h');
    a.value.set('f', 'a');
    b.value.set('g', 'b');
    store.commit(a);
    store.commit(b);
    expect(store.getHash('h')?.value.toFlat()).toEqual(['g', 'b']);
    expect(store.size).toBe(1);
    expect(store.keysMemory).toBe(recomputedMemory(store, ['h']));
    expect(store.scan(0, 2 ** 32, 10).keys).toEqual(['h']);
  });

  it.each([
    ['a hash whose last field is deleted', (s: Store) => {
      const e = s.getHash('h')!;
      e.value.delete('f');
      s.commit(e);
    }, 'h'],
    ['a list whose last element is popped', (s: Store) => {
      const e = s.getList('l')!;
      e.value.popFront();
      s.commit(e);
    }, 'l'],
  ])('deletes %s and leaves a tombstone', (_name, op, key) => {
    const { store } = makeStore();
    putHash(store, 'h', { f: 'v' });
    putList(store, 'l', ['a']);
    op(store);
    expect(store.get(key)).toBeUndefined();
    expect(store.tombstone(key)).toBeDefined();
    expect(store.size).toBe(1);
  });
});

describe('Store lazy expiry', () => {
  it('serves a key until its expiry, then behaves as missing and deletes it', () => {
    const { store, clock, removed } = makeStore();
    putHash(store, 'h', { f: 'v' });
    const e = store.get('h')!;
    store.setExpireAt(e, clock.now() + 1000);
    const version = store.commit(e);
    clock.advance(999);
    expect(store.get('h')).toBeDefined();
    clock.advance(1);
    expect(store.get('h')).toBeUndefined();
    expect(store.size).toBe(0);
    expect(store.keysWithTtl).toBe(0);
    expect(store.counters.expiredKeys).toBe(1);
    expect(removed).toEqual([{ key: 'h', reason: 'expired', version: version + 1 }]);
  });

  it('judges expiry at one instant inside atOneInstant (its first clock read), however the clock moves', () => {
    const { store, clock } = makeStore();
    putHash(store, 'h', { f: 'v' });
    const e = store.get('h')!;
    store.setExpireAt(e, clock.now() + 1);
    store.commit(e);
    store.atOneInstant(() => {
      expect(store.get('h')).toBeDefined();
      clock.advance(1);
      expect(store.get('h')).toBeDefined();
      expect(store.nowMs()).toBe(clock.now() - 1);
      store.atOneInstant(() => expect(store.nowMs()).toBe(clock.now() - 1)); // nested: the outer instant
    });
    expect(store.get('h')).toBeUndefined();
  });

  it('reads the clock for an instant only when something needs the time', () => {
    const { store, clock } = makeStore();
    putHash(store, 'h', { f: 'v' });
    const now = vi.spyOn(clock, 'now');
    store.atOneInstant(() => store.get('h')); // no TTL: no expiry to judge
    expect(now).not.toHaveBeenCalled();
  });

  it('forgets the TTL when it is cleared', () => {
    const { store, clock } = makeStore();
    putList(store, 'l', ['a']);
    const e = store.get('l')!;
    store.setExpireAt(e, clock.now() + 10);
    store.commit(e);
    expect(store.keysWithTtl).toBe(1);
    store.setExpireAt(e, 0);
    store.commit(e);
    expect(store.keysWithTtl).toBe(0);
    clock.advance(20);
    expect(store.get('l')).toBeDefined();
  });
});

describe('Store memory accounting', () => {
  it('charges key, fields, values and overheads, exactly', () => {
    const { store } = makeStore();
    putHash(store, 'key', { f1: 'v1', field2: 'value2' });
    expect(store.keysMemory).toBe(ENTRY_OVERHEAD_BYTES + 3 + hashFieldBytes('f1', 'v1') + hashFieldBytes('field2', 'value2'));
    putList(store, 'l', ['abc']);
    expect(store.keysMemory).toBe(recomputedMemory(store, ['key', 'l']));
  });

  it('stays exact under a seeded random mix of writes and returns to 0 when all is deleted', () => {
    const { store } = makeStore();
    const random = new SeededRandom(3);
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const word = (): string => 'x'.repeat(random.int(12));
    for (let step = 0; step < 3000; step++) {
      const key = keys[random.int(keys.length)]!;
      const existing = store.get(key);
      const asHash = existing === undefined ? key.charCodeAt(key.length - 1) % 2 === 0 : existing.type === 'hash';
      if (asHash) {
        const e = store.hashForWrite(key);
        if (random.int(3) === 0) e.value.delete(`f${random.int(5)}`);
        else e.value.set(`f${random.int(5)}`, word());
        store.commit(e);
      } else {
        const e = store.listForWrite(key);
        const op = random.int(5);
        if (op === 0) e.value.popFront();
        else if (op === 1) e.value.set(0, word());
        else if (op === 2) e.value.trim(0, random.int(4));
        else e.value.pushBack(word());
        store.commit(e);
      }
      if (step % 500 === 0) expect(store.keysMemory).toBe(recomputedMemory(store, keys));
    }
    expect(store.keysMemory).toBe(recomputedMemory(store, keys));
    for (const k of keys) store.delete(k);
    expect(store.size).toBe(0);
    expect(store.keysMemory).toBe(0);
  });

  it('counts tombstones in the used memory apart from keys, and pruning returns their bytes', () => {
    const { store, clock } = makeStore({ tombstoneRetentionMs: 1000 });
    putHash(store, 'h', { f: 'v' });
    store.delete('h');
    expect(store.keysMemory).toBe(0);
    expect(store.tombstoneBytes).toBe(1 + TOMBSTONE_OVERHEAD_BYTES);
    expect(store.usedMemory).toBe(store.tombstoneBytes);
    clock.advance(1000);
    expect(store.pruneTombstones()).toBe(1);
    expect(store.tombstoneBytes).toBe(0);
  });
});

describe('Store open HSCANs', () => {
  it('keeps a scan open across a wall clock stepped forward: its idle time is elapsed time', () => {
    const { store, clock } = makeStore();
    const fields: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) fields[`f${i}`] = 'v';
    putHash(store, 'big', fields);
    const first = store.scanHash('big', '0', 10)!;
    expect(first.next).not.toBe('0');
    clock.advance(1000);
    clock.setWallClock(clock.now() + 86_400_000); // an NTP step or a VM resumed a day later
    store.activeExpireCycle(25);
    expect(store.scanHash('big', first.next, 10)).toBeDefined(); // undefined: "start again"
  });
});
