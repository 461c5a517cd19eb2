import { describe, expect, it } from 'vitest';
import { splitByBytes } from './split-by-bytes.js';

describe('splitByBytes', () => {
  const len = (s: string) => s.length;

  it('keeps everything in one run, the input itself, when it fits', () => {
    const items = ['aa', 'bb', 'cc'];
    const runs = splitByBytes(items, len, 6);
    expect(runs).toEqual([{ items, bytes: 6 }]);
    expect(runs[0]!.items).toBe(items);
  });

  it('cuts before the item that would go past the limit, in order', () => {
    expect(splitByBytes(['aaa', 'bb', 'c', 'dddd', 'e'], len, 5)).toEqual([
      { items: ['aaa', 'bb'], bytes: 5 },
      { items: ['c', 'dddd'], bytes: 5 },
      { items: ['e'], bytes: 1 },
    ]);
  });

  it('sends an item larger than the limit alone, and nothing for no items', () => {
    expect(splitByBytes(['a', 'bbbbbbb', 'c'], len, 3)).toEqual([
      { items: ['a'], bytes: 1 },
      { items: ['bbbbbbb'], bytes: 7 },
      { items: ['c'], bytes: 1 },
    ]);
    expect(splitByBytes([], len, 3)).toEqual([]);
  });
});
