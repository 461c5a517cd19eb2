import { Buffer } from 'node:buffer';
import xxhash from 'xxhash-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHasher } from './hash.js';
import type { Hasher } from './hash.js';
import { randomKeys } from './testing/fixtures.js';

/** The UTF-8 bytes of `text` as a BinStr, as a gRPC key arrives in gokv. */
const utf8Key = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

let hasher: Hasher;
beforeAll(async () => {
  hasher = await createHasher();
});

describe('createHasher', () => {
  it('loads xxhash-wasm once and returns the same hasher', async () => {
    expect(await createHasher()).toBe(hasher);
  });
});

describe('textPosition and keyPosition', () => {
  it.each([
    ['', 0x02cc5d05],
    ['a', 0x550d7456],
    ['abc', 0x32d153ff],
    ['Nobody inspects the spammish repetition', 0xe2293b2f],
  ])('hash %j to the xxHash32 test vector %i', (text, expected) => {
    expect(hasher.textPosition(text)).toBe(expected);
    expect(hasher.keyPosition(text)).toBe(expected);
  });

  it.each([
    ['two-byte UTF-8', 'héllo wörld'],
    ['Cyrillic', 'ключ:42'],
    ['CJK', '鍵'],
    ['a surrogate pair', 'user:😀'],
    ['a key longer than the scratch buffer', 'ü'.repeat(700)],
    ['a short key after a long one', 'ß'],
  ])('hashes the UTF-8 bytes of a key with %s like the decoded text', (_, text) => {
    expect(hasher.keyPosition(utf8Key(text))).toBe(hasher.textPosition(text));
  });

  it('hashes a binary key by its bytes, whether or not they are valid UTF-8', async () => {
    const api = await xxhash();
    for (const key of randomKeys(500, 7)) {
      expect(hasher.keyPosition(key)).toBe(api.h32Raw(Buffer.from(key, 'latin1'), 0));
    }
  });

  it('returns uint32 positions', () => {
    for (const key of randomKeys(200, 11)) {
      const position = hasher.keyPosition(key);
      expect(Number.isInteger(position) && position >= 0 && position < 2 ** 32).toBe(true);
    }
  });
});

describe('keyPosition asked again for the same key', () => {
  it('answers the key given, whichever key was hashed before it', async () => {
    const api = await xxhash();
    const [a, b] = randomKeys(2, 13) as [string, string];
    const sameAsA = Buffer.from(a, 'latin1').toString('latin1'); // equal text, another string
    for (const key of [a, a, b, a, sameAsA, b, b, 'ü', a]) {
      expect(hasher.keyPosition(key)).toBe(api.h32Raw(Buffer.from(key, 'latin1'), 0));
    }
  });
});
