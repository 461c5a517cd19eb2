import { describe, expect, it } from 'vitest';
import { makeStore, putHash, putList } from '../store/testing/fixtures.js';
import type { HandOffState } from './sink.js';
import { estimateBytes, fromWire, mergeStates, missingKeys, splitBatches, toWire } from './states.js';

const live = (key: string, version: number, value = ['f', 'v']): HandOffState => ({
  key,
  type: 'hash',
  value,
  expireAtMs: 0,
  version,
  deleted: false,
});
const dead = (key: string, version: number): HandOffState => ({
  key,
  type: '',
  value: [],
  expireAtMs: 0,
  version,
  deleted: true,
});

describe('receiving a batch', () => {
  it('applies newer states and ignores stale ones', () => {
    const { store } = makeStore();
    putHash(store, 'newer', { f: 'mine' }, 50);
    const { applied } = mergeStates(store, [live('fresh', 10), live('newer', 40, ['f', 'old'])]);
    expect(applied).toBe(1);
    expect(store.exportKey('newer')).toMatchObject({ value: ['f', 'mine'] });
    expect(store.versionOf('fresh')).toBe(10);
  });

  it('respects tombstones both ways: an older copy does not resurrect, a newer delete applies', () => {
    const { store } = makeStore();
    putHash(store, 'gone', { f: 'x' }, 10);
    store.delete('gone', 11);
    putList(store, 'l', ['a'], 20);
    const { applied } = mergeStates(store, [live('gone', 10), dead('l', 21)]);
    expect(applied).toBe(1);
    expect(store.peek('gone')).toBeUndefined();
    expect(store.peek('l')).toBeUndefined();
    expect(store.tombstone('l')?.version).toBe(21);
  });

  it('refuses a malformed batch before merging any of it', () => {
    const { store } = makeStore();
    expect(() => mergeStates(store, [live('ok', 5), { ...live('bad', 5), type: 'set' }])).toThrow(/INTERNAL/);
    expect(store.size).toBe(0);
  });

  it('reports the keys held at a lower version or not at all', () => {
    const { store } = makeStore();
    putHash(store, 'same', { f: 'x' }, 10);
    putHash(store, 'older', { f: 'x' }, 5);
    putHash(store, 'deleted', { f: 'x' }, 30);
    store.delete('deleted', 31);
    const digests = [
      { key: 'same', version: 10 },
      { key: 'older', version: 6 },
      { key: 'absent', version: 1 },
      { key: 'deleted', version: 20 },
    ];
    expect(missingKeys(store, digests)).toEqual(['older', 'absent']);
  });
});

describe('wire states', () => {
  it('round-trips live and deleted states', () => {
    const { store } = makeStore();
    putList(store, 'l', ['a', 'b'], 7);
    const state = store.exportKey('l')!;
    expect(fromWire(toWire('l', state))).toEqual(state);
    expect(fromWire(toWire('x', { deleted: true, version: 9 }))).toEqual({ deleted: true, version: 9 });
  });

  it('splits batches by estimated bytes, a large state alone', () => {
    const small = live('k', 1, ['f', 'x'.repeat(10)]);
    const big = live('b', 1, ['f', 'x'.repeat(500)]);
    const size = estimateBytes(small);
    const batches = splitBatches([small, small, small, big, small], size * 2);
    expect(batches.map((b) => b.states.length)).toEqual([2, 1, 1, 1]);
    expect(batches[0]!.bytes).toBe(size * 2);
    expect(splitBatches([], 100)).toEqual([]);
  });
});
