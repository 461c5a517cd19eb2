import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import type { StoredEntry } from './entry.js';
import { pickVictim } from './eviction.js';
import { HashValue } from './hash-value.js';
import { Keyspace } from './keyspace.js';

const entry = (key: string): StoredEntry => {
  const h = new HashValue(key);
  h.set('f', 'v');
  return h;
};

describe('Keyspace LRU clock', () => {
  it('keeps stamps below 2^30 and still finds the least recent key across the wrap', () => {
    const space = new Keyspace((key) => key.charCodeAt(0) << 24, 2 ** 30 - 3);
    const keys = ['a', 'b', 'c', 'd', 'e'].map(entry);
    for (const e of keys) space.insert(e); // stamps 2^30-2, 2^30-1, 0, 1, 2
    space.touch(keys[0]!); // 'a' is now the most recent, 'b' the least
    for (const e of keys) expect(e.lru).toBeLessThan(2 ** 30);
    expect(keys.map((e) => space.idleTouches(e))).toEqual([0, 4, 3, 2, 1]);
    const victim = pickVictim('allkeys-lru', space.all, space.volatile, 64, new SeededRandom(1), (e) => space.idleTouches(e));
    expect(victim?.key).toBe('b');
  });
});
