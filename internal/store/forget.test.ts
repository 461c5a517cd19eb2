import { describe, expect, it } from 'vitest';
import { makeStore, putHash, putList } from './testing/fixtures.js';

describe('forget (rebalance drops a handed-off copy)', () => {
  it('removes the key without leaving a tombstone or calling onRemoved', () => {
    const { store, removed } = makeStore();
    const v = putHash(store, 'h', { a: '1' });
    expect(store.forget('h', v)).toBe(true);
    expect(store.peek('h')).toBeUndefined();
    expect(store.tombstone('h')).toBeUndefined();
    expect(store.versionOf('h')).toBe(0);
    expect(store.size).toBe(0);
    expect(store.usedMemory).toBe(0);
    expect(removed).toEqual([]);
  });

  it('keeps a key whose version changed since it was sent', () => {
    const { store } = makeStore();
    const v = putList(store, 'l', ['x']);
    putList(store, 'l', ['y']);
    expect(store.forget('l', v)).toBe(false);
    expect(store.exportKey('l')).toMatchObject({ value: ['x', 'y'] });
  });

  it('does nothing for a missing or deleted key', () => {
    const { store } = makeStore();
    expect(store.forget('nope', 1)).toBe(false);
    putHash(store, 'h', { a: '1' }, 10);
    store.delete('h', 11);
    expect(store.forget('h', 11)).toBe(false);
    expect(store.tombstone('h')?.version).toBe(11);
  });

  it('lets the same state be merged back afterwards', () => {
    const { store } = makeStore();
    putHash(store, 'h', { a: '1' }, 42);
    const state = store.exportKey('h')!;
    store.forget('h', 42);
    expect(store.mergeKey('h', state)).toBe(true);
    expect(store.versionOf('h')).toBe(42);
  });

  it('forgetEvicted also drops that copy once expired here, and nothing else', () => {
    const { store, clock } = makeStore();
    const v = putHash(store, 'h', { a: '1' });
    const e = store.hashForWrite('h');
    store.setExpireAt(e, clock.now() + 1);
    const w = store.commit(e);
    clock.advance(1); // expired here: its tombstone is at w + 1
    expect(store.forgetEvicted('h', v)).toBe(false); // newer than the copy evicted
    expect(store.forgetEvicted('h', w)).toBe(true);
    expect(store.tombstone('h')).toBeUndefined();
    expect(store.versionOf('h')).toBe(0);
    putHash(store, 'g', { a: '1' }, 10);
    store.delete('g', 11);
    expect(store.forgetEvicted('g', 9)).toBe(false);
    expect(store.tombstone('g')?.version).toBe(11);
  });

  it('forgetEvicted drops an older copy than the one evicted (its last writes missed)', () => {
    const { store } = makeStore();
    putList(store, 'l', ['x'], 10);
    expect(store.forgetEvicted('l', 12)).toBe(true);
    expect(store.versionOf('l')).toBe(0);
  });
});
