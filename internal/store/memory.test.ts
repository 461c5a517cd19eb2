import { describe, expect, it } from 'vitest';
import { binFromRange } from './bytes.js';
import { retainedBytes } from './testing/heap.js';
import { makeStore } from './testing/fixtures.js';

// The estimate (memory.ts) against the real heap, for shapes where V8 can hold far more than a
// key's bytes. Margins are wide: only a multiple of the estimate is a bug.
describe('memory accounting against the V8 heap', () => {
  it('holds a string built by many one-byte APPENDs within 2x of its charge', () => {
    const { store } = makeStore();
    const byte = Buffer.from('a');
    const { bytes } = retainedBytes(() => {
      for (let k = 0; k < 1000; k++) {
        const e = store.stringForWrite(`appended-${k}`);
        for (let i = 0; i < 1000; i++) e.value.append(binFromRange(byte, 0, 1));
        store.commit(e);
      }
    });
    // Unflattened: 1000 cons cells of 32 B for each 1 KB value, 27x its charge.
    expect(bytes).toBeLessThan(2 * store.usedMemory);
  });
});
