import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
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
    expect(t.prune(350, 10).pruned).toBe(1); // p3; p1 was re-set at 400
    expect(t.keysInRange(0, 10)).toEqual(['p1']);
    expect(t.get('p1')).toMatchObject({ version: 11, deletedAtMs: 400 });
    expect(t.size).toBe(1);
  });

  it('prunes oldest first across interleaved deletes, re-deletes and removals, counting the early ones (against a model)', () => {
    const random = new SeededRandom(11);
    const t = new Tombstones(positionOf);
    // The model: [key, deletedAtMs] in deletion order, a re-deleted key moved to the end.
    let model: [string, number][] = [];
    let now = 0;
    for (let step = 0; step < 20_000; step++) {
      const key = `p${random.int(500)}`;
      const op = random.int(10);
      if (op < 6) {
        now += random.int(3);
        t.set(key, step, now);
        model = model.filter(([k]) => k !== key);
        model.push([key, now]);
      } else if (op < 8) {
        t.delete(key); // the key written again
        model = model.filter(([k]) => k !== key);
      } else {
        const olderThan = now - random.int(200);
        const due = olderThan - random.int(50); // those deleted after it go early
        const max = random.int(5);
        let expected = 0;
        while (expected < max && expected < model.length && model[expected]![1] <= olderThan) expected++;
        const early = model.slice(0, expected).filter(([, at]) => at > due).length;
        expect(t.prune(olderThan, max, 0, due)).toEqual({ pruned: expected, early });
        model = model.slice(expected);
      }
      expect(t.size).toBe(model.length);
    }
    expect(t.prune(now, Infinity).pruned).toBe(model.length);
    expect(t.size).toBe(0);
    t.set('p1', 1, now); // a drained store starts over
    expect(t.prune(now, 1).pruned).toBe(1);
  });
});
