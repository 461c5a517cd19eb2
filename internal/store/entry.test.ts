import { describe, expect, it } from 'vitest';
import { HashValue } from './hash-value.js';
import { ListValue } from './list-value.js';
import { hashFieldBytes } from './memory.js';
import { StringValue } from './string-value.js';

describe('StoredEntry', () => {
  it.each([0, 1, 2 ** 26 - 1, 2 ** 26, 1_795_000_000_123, 2 ** 53 - 1])('keeps version %d exactly', (v) => {
    for (const e of [new HashValue('k'), new ListValue('k'), new StringValue('k')]) {
      e.version = v;
      expect(e.version).toBe(v);
    }
  });

  it('is its own value, of its own type', () => {
    for (const [e, type] of [
      [new HashValue('h'), 'hash'],
      [new ListValue('l'), 'list'],
      [new StringValue('s'), 'string'],
    ] as const) {
      expect(e.type).toBe(type);
      expect(e.value).toBe(e);
    }
  });

  it("keeps a hash's bookkeeping apart from its fields", () => {
    const h = new HashValue('h');
    h.set('f', 'v');
    h.charged = 500;
    h.version = 7;
    expect(h.bytes).toBe(hashFieldBytes('f', 'v')); // the fields' bytes, not the key's charge
    expect(h.toFlat()).toEqual(['f', 'v']);
    expect([h.key, h.version, h.size]).toEqual(['h', 7, 1]);
  });
});
