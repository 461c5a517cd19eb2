import { describe, expect, it } from 'vitest';
import { StoredEntry } from './entry.js';
import { HashValue } from './hash-value.js';
import { ListValue } from './list-value.js';
import { StringValue } from './string-value.js';

describe('StoredEntry', () => {
  it.each([0, 1, 2 ** 26 - 1, 2 ** 26, 1_795_000_000_123, 2 ** 53 - 1])('keeps version %d exactly', (v) => {
    const e = new StoredEntry('k', new HashValue());
    e.version = v;
    expect(e.version).toBe(v);
  });

  it('reads its type from its value', () => {
    expect(new StoredEntry('h', new HashValue()).type).toBe('hash');
    expect(new StoredEntry('l', new ListValue()).type).toBe('list');
    expect(new StoredEntry('s', new StringValue()).type).toBe('string');
  });
});
