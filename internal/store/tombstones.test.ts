import { describe, expect, it } from 'vitest';
import { Tombstones } from './tombstones.js';

// Positions are chosen by the test: key "p<n>" sits at ring position n.
const positionOf = (key: string): number => Number(key.slice(1));

describe('Tombstones by ring position', () => {
  it('lists the deleted keys of a range, whole buckets and partial ones alike', () => {
    const t = new Tombstones(positionOf);
    const positions = [0, 5, 2 ** 20 - 1, 2 ** 20, 3 * 2 ** 20 + 7, 2 ** 31, 2 ** 32 - 1];
    for (const p of positions) t.set(`p${p}`, 10, 1);
    const inRange = (from: number, to: number) => t.keysInRange(from, to).map(positionOf).sort((a, b) => a - b);
    expect(inRange(0, 2 ** 32)).toEqual(positions);
    expect(inRange(1, 2 ** 20)).toEqual([5, 2 ** 20 - 1]);
    expect(inRange(2 ** 20, 4 * 2 ** 20)).toEqual([2 ** 20, 3 * 2 ** 20 + 7]);
    expect(inRange(3 * 2 ** 20 + 8, 2 ** 31)).toEqual([]);
    expect(inRange(2 ** 31, 2 ** 32)).toEqual([2 ** 31, 2 ** 32 - 1]);
  });

  it('drops a key from its range when it is deleted, set again or pruned', () => {
    const t = new Tombstones(positionOf);
    t.set('p1', 10, 100);
    t.set('p2', 10, 200);
    t.set('p3', 10, 300);
    t.set('p1', 11, 400); // deleted again: now the youngest
    t.delete('p2');
    expect(t.keysInRange(0, 10).sort()).toEqual(['p1', 'p3']);
    expect(t.prune(350, 10)).toBe(1); // p3; p1 was re-set at 400
    expect(t.keysInRange(0, 10)).toEqual(['p1']);
    expect(t.get('p1')).toMatchObject({ version: 11, deletedAtMs: 400 });
    expect(t.size).toBe(1);
  });
});
