import { describe, expect, it } from 'vitest';
import { binFromRange } from './bytes.js';
import { retainedBytes } from './testing/heap.js';
import { makeStore, putHash } from './testing/fixtures.js';
import type { Store } from './store.js';

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

describe('an open HSCAN and the memory of the hash it walks', () => {
  it.each([
    ['deleted', (store: Store) => store.delete('big')],
    ['replaced by SET', (store: Store) => {
      const e = store.stringForOverwrite('big');
      e.value.set('small');
      store.commit(e);
    }],
  ])('lets go of a hash %s under it at once, not at the next expiry cycle', (_name, change) => {
    const { store } = makeStore();
    const { bytes } = retainedBytes(() => {
      const fields: Record<string, string> = {};
      for (let i = 0; i < 20_000; i++) fields[`field-${i}`] = `${'v'.repeat(100)}${i}`;
      putHash(store, 'big', fields);
      expect(store.scanHash('big', '0', 10)?.next).not.toBe('0'); // a scan left open
      change(store);
    });
    // Held by the scan: the hash's 20,000 fields and values (about 7 MB here), uncharged (the key is gone).
    expect(bytes).toBeLessThan(1_500_000);
  });
});
