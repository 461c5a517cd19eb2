import { describe, expect, it } from 'vitest';
import { makeStore } from './testing/fixtures.js';
import type { StoredEntry } from './entry.js';
import { entryWireBytes, maxKeyBytes, stateOf, stateWireBytes } from './transfer.js';

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
