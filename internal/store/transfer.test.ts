import { describe, expect, it } from 'vitest';
import { makeStore } from './testing/fixtures.js';
import type { StoredEntry } from './entry.js';
import type { LiveKeyState } from './entry.js';
import { entryHolds, entryWireBytes, maxKeyBytes, stateOf, stateWireBytes } from './transfer.js';

describe('a key state\'s bytes on the wire', () => {
  it.each([
    ['a small hash', { type: 'hash', value: ['f', 'v', 'field2', 'x'.repeat(100)] }],
    ['a hash held in a Map (past 16 fields)', { type: 'hash', value: Array.from({ length: 60 }, (_, i) => `f${i}:${'y'.repeat(i)}`) }],
    ['a list', { type: 'list', value: ['a', '', 'b'.repeat(1000)] }],
    ['a string', { type: 'string', value: ['s'.repeat(77)] }],
  ] as const)('are summed from %s\'s counters as from its state', (_name, shape) => {
    const { store } = makeStore();
    store.mergeKey('key', { type: shape.type, value: [...shape.value], expireAtMs: 0, version: 3 });
    const e = store.peek('key') as StoredEntry;
    expect(entryWireBytes(e)).toBe(stateWireBytes('key', stateOf(e).value));
    // The memory charge never falls below it: Store.fitsAfter decides most writes from it.
    expect(store.chargedBytes('key')).toBeGreaterThanOrEqual(entryWireBytes(e));
  });

  it('leave room under limits.max_message_bytes for a batch header and one write\'s slack', () => {
    expect(maxKeyBytes(64 << 20)).toBe((64 << 20) - (64 << 10));
    expect(maxKeyBytes(100_000)).toBe(50_000);
    expect(maxKeyBytes(0)).toBe(0);
  });
});

describe('entryHolds: whether a key holds exactly a state (a copy sent again)', () => {
  const pairs = Array.from({ length: 40 }, (_, i) => [`f${i}`, `v${i}`]);
  const hash = (order: string[][], expireAtMs = 0): LiveKeyState => ({ type: 'hash', value: order.flat(), expireAtMs, version: 3 });
  const held = (state: LiveKeyState): StoredEntry => {
    const { store } = makeStore();
    store.mergeKey('key', state);
    return store.peek('key') as StoredEntry;
  };

  it.each<[string, LiveKeyState, LiveKeyState, boolean]>([
    ['a large hash, its fields in another order', hash(pairs), hash([...pairs].reverse()), true],
    ['a small hash, its fields in another order', hash(pairs.slice(0, 3)), hash(pairs.slice(0, 3).reverse()), true],
    ['a hash with one value changed', hash(pairs), hash(pairs.map(([f, v], i) => [f!, i === 17 ? 'other' : v!])), false],
    ['a hash with one field more', hash(pairs.slice(0, 5)), hash(pairs.slice(0, 6)), false],
    ['a hash with another expiry', hash(pairs, 4e12), hash(pairs, 5e12), false],
    ['a list', { type: 'list', value: ['a', 'b', 'c'], expireAtMs: 0, version: 3 }, { type: 'list', value: ['a', 'b', 'c'], expireAtMs: 0, version: 3 }, true],
    ['a list in another order', { type: 'list', value: ['a', 'b', 'c'], expireAtMs: 0, version: 3 }, { type: 'list', value: ['a', 'c', 'b'], expireAtMs: 0, version: 3 }, false],
    ['a string', { type: 'string', value: ['s'], expireAtMs: 0, version: 3 }, { type: 'string', value: ['s'], expireAtMs: 0, version: 3 }, true],
    ['a string of another value', { type: 'string', value: ['s'], expireAtMs: 0, version: 3 }, { type: 'string', value: ['t'], expireAtMs: 0, version: 3 }, false],
    ['a list against a hash of the same items', { type: 'list', value: ['a', 'b'], expireAtMs: 0, version: 3 }, hash([['a', 'b']]), false],
  ])('%s', (_name, local, incoming, same) => {
    expect(entryHolds(held(local), incoming)).toBe(same);
  });
});
