import { beforeAll, describe, expect, it } from 'vitest';
import { measureBalance } from './balance.js';
import { createHasher } from './hash.js';
import type { Hasher } from './hash.js';
import { HASH_SPACE, Ring } from './ring.js';
import { memberIds, tablePosition } from './testing/fixtures.js';

let hasher: Hasher;
beforeAll(async () => {
  hasher = await createHasher();
});

describe('measureBalance', () => {
  it('measures shares exactly from arc lengths', () => {
    // 100 a, 300 b, 500 c, 600 a, 800 b, 900 c
    const ring = Ring.fromMembers(['a', 'b', 'c'], 2, tablePosition({
      'a#0': 100, 'a#1': 600, 'b#0': 300, 'b#1': 800, 'c#0': 500, 'c#1': 900,
    }));
    const { shares, maxOverMean, minOverMean } = measureBalance(ring);
    const a = (101 + 100 + (HASH_SPACE - 901)) / HASH_SPACE;
    expect(shares.get('a')).toBe(a);
    expect(shares.get('b')).toBe(400 / HASH_SPACE);
    expect(shares.get('c')).toBe(300 / HASH_SPACE);
    expect(maxOverMean).toBe(a * 3);
    expect(minOverMean).toBe((300 / HASH_SPACE) * 3);
  });

  it('gives a lone member everything and an empty ring nothing', () => {
    const solo = measureBalance(Ring.fromMembers(['solo'], 256, hasher.textPosition));
    expect(solo.shares.get('solo')).toBe(1);
    expect(solo.maxOverMean).toBe(1);
    const empty = measureBalance(Ring.fromMembers([], 256, hasher.textPosition));
    expect(empty.shares.size).toBe(0);
    expect(empty.maxOverMean).toBe(0);
  });

  // A property of these ids and of xxHash32: deterministic, so a fair check of DESIGN.md's
  // "largest share within 15% of the mean for 3-10 nodes" at the default 256 vnodes.
  it.each((['name', 'address'] as const).flatMap((family) =>
    [3, 4, 5, 6, 7, 8, 9, 10].map((count) => [family, count] as const),
  ))('keeps the largest of %s ids x%i within 15%% of the mean at 256 vnodes', (family, count) => {
    const { shares, maxOverMean } = measureBalance(
      Ring.fromMembers(memberIds(family, count), 256, hasher.textPosition),
    );
    expect([...shares.values()].reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    expect(maxOverMean).toBeLessThanOrEqual(1.15);
  });
});

describe('balance figures (printed for docs/architecture.md)', () => {
  it('prints max/mean and min/mean for 3, 5 and 10 members at 64, 128 and 256 vnodes', () => {
    const rows: string[] = [];
    for (const family of ['name', 'address'] as const) {
      for (const count of [3, 5, 10]) {
        const cells = [64, 128, 256].map((vnodes) => {
          const ring = Ring.fromMembers(memberIds(family, count), vnodes, hasher.textPosition);
          const b = measureBalance(ring);
          return `${vnodes}: max ${b.maxOverMean.toFixed(4)} min ${b.minOverMean.toFixed(4)}`;
        });
        rows.push(`${memberIds(family, count)[0]}.. x${count}  ${cells.join('  |  ')}`);
      }
    }
    console.log(`ring balance (share / mean share)\n${rows.join('\n')}`);
    expect(rows).toHaveLength(6);
  });
});
