import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import { pooledFieldNames } from './field-names.js';
import { HashValue, SMALL_HASH_MAX_FIELDS } from './hash-value.js';
import { ListValue, redisRange } from './list-value.js';
import { hashFieldBytes, listElementBytes } from './memory.js';

const listBytes = (items: readonly string[]): number => items.reduce((n, v) => n + listElementBytes(v), 0);
const ABCDE = ['a', 'b', 'c', 'd', 'e'];

describe('redisRange', () => {
  it.each([
    ['whole list', 0, -1, [0, 5]],
    ['first two', 0, 1, [0, 2]],
    ['last two', -2, -1, [3, 5]],
    ['start past the end is empty', 5, 10, [0, 0]],
    ['start after stop is empty', 3, 1, [0, 0]],
    ['negative start clamps to 0', -100, 1, [0, 2]],
    ['stop past the end clamps', 2, 100, [2, 5]],
    ['stop at the length clamps', 0, 5, [0, 5]],
    ['stop before the head is empty', 0, -6, [0, 0]],
  ])('%s', (_name, start, stop, expected) => {
    expect(redisRange(start, stop, 5)).toEqual(expected);
  });
});

describe('ListValue', () => {
  it.each([
    ['keeps a middle slice', 1, 3, ['b', 'c', 'd'], 2],
    ['keeps everything', 0, -1, ABCDE, 0],
    ['keeps everything when stop is the length (LTRIM l 0 5 removes nothing)', 0, 5, ABCDE, 0],
    ['keeps the newest two', -2, -1, ['d', 'e'], 3],
    ['keeps the oldest one', 0, 0, ['a'], 4],
    ['empties on an empty range', 3, 1, [], 5],
  ])('trim %s', (_name, start, stop, kept, removed) => {
    const l = new ListValue('l', ABCDE);
    expect(l.trim(start, stop)).toBe(removed);
    expect(l.toArray()).toEqual(kept);
    expect(l.bytes).toBe(listBytes(kept));
  });

  it.each([
    ['all matches with count 0', 0, 'x', ['a', 'b'], 3],
    ['first two from the head', 2, 'x', ['a', 'b', 'x'], 2],
    ['last two from the tail', -2, 'x', ['x', 'a', 'b'], 2],
    ['nothing when absent', 0, 'z', ['x', 'a', 'x', 'b', 'x'], 0],
  ])('remove %s', (_name, count, value, left, removed) => {
    const l = new ListValue('l', ['x', 'a', 'x', 'b', 'x']);
    expect(l.remove(count, value)).toBe(removed);
    expect(l.toArray()).toEqual(left);
    expect(l.bytes).toBe(listBytes(left));
  });

  it.each([
    ['positive index', 1, 'changed', ['a', 'Z', 'c']],
    ['negative index', -1, 'changed', ['a', 'b', 'Z']],
    ['same value is unchanged', 0, 'unchanged', ['a', 'b', 'c']],
    ['past the end', 3, 'out-of-range', ['a', 'b', 'c']],
    ['before the head', -4, 'out-of-range', ['a', 'b', 'c']],
  ])('set at %s', (_name, index, result, after) => {
    const l = new ListValue('l', ['a', 'b', 'c']);
    expect(l.set(index, result === 'unchanged' ? 'a' : 'Z')).toBe(result);
    expect(l.toArray()).toEqual(after);
    expect(l.bytes).toBe(listBytes(after));
  });

  it('keeps bytes exact through pushes and pops', () => {
    const l = new ListValue('l');
    l.pushBack('hello');
    l.pushFront('x');
    expect(l.bytes).toBe(listBytes(['x', 'hello']));
    expect(l.popBack()).toBe('hello');
    expect(l.popFront()).toBe('x');
    expect(l.popFront()).toBeUndefined();
    expect(l.bytes).toBe(0);
    expect(l.isEmpty()).toBe(true);
  });
});

describe('HashValue', () => {
  it('reports added, updated and unchanged writes and keeps bytes exact', () => {
    const h = new HashValue('h');
    expect(h.set('f', 'v')).toBe('added');
    expect(h.set('f', 'v')).toBe('unchanged');
    expect(h.set('f', 'longer')).toBe('updated');
    expect(h.bytes).toBe(hashFieldBytes('f', 'longer'));
    expect(h.delete('f')).toBe(true);
    expect(h.delete('f')).toBe(false);
    expect(h.bytes).toBe(0);
    expect(h.isEmpty()).toBe(true);
  });

  it('round-trips through the flat transfer form in insertion order', () => {
    const h = HashValue.fromFlat('h', ['b', '2', 'a', '1']);
    expect(h.toFlat()).toEqual(['b', '2', 'a', '1']);
    expect(h.fields()).toEqual(['b', 'a']);
    expect(h.values()).toEqual(['2', '1']);
  });
});

describe('HashValue: small hashes in a flat array, larger ones in a Map', () => {
  const filled = (n: number): HashValue => {
    const h = new HashValue('h');
    for (let i = 0; i < n; i++) h.set(`f${i}`, `v${i}`);
    return h;
  };

  it.each([1, SMALL_HASH_MAX_FIELDS, SMALL_HASH_MAX_FIELDS + 1, 100])('behaves the same with %i fields', (n) => {
    const h = filled(n);
    expect(h.size).toBe(n);
    expect(h.get(`f${n - 1}`)).toBe(`v${n - 1}`);
    expect(h.has('nope')).toBe(false);
    expect(h.set('f0', 'v0')).toBe('unchanged');
    expect(h.set('f0', 'new')).toBe('updated');
    expect(h.fields()).toEqual(Array.from({ length: n }, (_, i) => `f${i}`));
    expect(h.values()[0]).toBe('new');
    expect([...h.entries()].length).toBe(n);
    expect(h.toFlat().slice(0, 2)).toEqual(['f0', 'new']);
    const bytes = h.bytes;
    expect(h.delete('f0')).toBe(true);
    expect(h.delete('f0')).toBe(false);
    expect(h.bytes).toBe(bytes - hashFieldBytes('f0', 'new'));
    for (let i = 1; i < n; i++) h.delete(`f${i}`);
    expect(h.isEmpty()).toBe(true);
    expect(h.bytes).toBe(0);
  });

  it('keeps insertion order across the switch to a Map', () => {
    const h = filled(SMALL_HASH_MAX_FIELDS);
    h.delete('f3');
    h.set('late', 'x');
    h.set('later', 'y'); // the 17th field: now a Map
    const fields = h.fields();
    expect(fields.slice(-2)).toEqual(['late', 'later']);
    expect(fields).not.toContain('f3');
  });

  it('keeps the order of the others when its first field is deleted', () => {
    const h = filled(3);
    expect(h.delete('f0')).toBe(true);
    expect(h.toFlat()).toEqual(['f1', 'v1', 'f2', 'v2']);
    h.set('f0', 'again');
    expect(h.fields()).toEqual(['f1', 'f2', 'f0']);
    expect(h.values()).toEqual(['v1', 'v2', 'again']);
  });

  it('agrees with a Map under random writes and deletes, across the switch', () => {
    const random = new SeededRandom(6);
    for (let round = 0; round < 40; round++) {
      const h = new HashValue('h');
      const model = new Map<string, string>();
      // Few distinct fields keep a hash small (exercising the inline pair); many make it a Map.
      const distinct = 2 + random.int(2 * SMALL_HASH_MAX_FIELDS);
      for (let op = 0; op < 300; op++) {
        const field = `f${random.int(distinct)}`;
        if (random.int(3) === 0) expect(h.delete(field)).toBe(model.delete(field));
        else {
          const value = `v${random.int(4)}`;
          const expected = !model.has(field) ? 'added' : model.get(field) === value ? 'unchanged' : 'updated';
          expect(h.set(field, value)).toBe(expected);
          model.set(field, value);
        }
        expect(h.size).toBe(model.size);
        expect(h.toFlat()).toEqual([...model].flat());
      }
      expect([...h.entries()]).toEqual([...model.entries()]);
      expect(h.fields()).toEqual([...model.keys()]);
      expect(h.values()).toEqual([...model.values()]);
      const keys = [...model.keys()];
      for (let i = -1; i <= keys.length; i++) expect(h.fieldAt(i)).toBe(keys[i]);
      expect(HashValue.fromFlat('h', h.toFlat()).toFlat()).toEqual(h.toFlat());
      let bytes = 0;
      for (const [f, v] of model) bytes += hashFieldBytes(f, v);
      expect(h.bytes).toBe(bytes);
    }
  });

  it('never shares the field array between hashes', () => {
    const a = new HashValue('h');
    const b = new HashValue('h');
    a.set('f', '1');
    expect(b.size).toBe(0);
    expect(b.get('f')).toBeUndefined();
  });
});

describe('field name pool', () => {
  it('stays bounded however many distinct names arrive, and skips long names', () => {
    const h = new HashValue('h');
    for (let i = 0; i < 10_000; i++) h.set(`name-${i}`, 'v');
    expect(pooledFieldNames()).toBeGreaterThan(0);
    expect(pooledFieldNames()).toBeLessThanOrEqual(4096);
    const before = pooledFieldNames();
    h.set('x'.repeat(65), 'v');
    expect(pooledFieldNames()).toBe(before);
    expect(h.get('x'.repeat(65))).toBe('v');
    expect(h.size).toBe(10_001);
  });
});
