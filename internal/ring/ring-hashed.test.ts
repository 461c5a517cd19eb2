import { beforeAll, describe, expect, it } from 'vitest';
import { createHasher } from './hash.js';
import type { Hasher } from './hash.js';
import { HASH_SPACE, Ring } from './ring.js';
import { memberIds, seededUint32 } from './testing/fixtures.js';

let hasher: Hasher;
beforeAll(async () => {
  hasher = await createHasher();
});

const ring = (ids: readonly string[], vnodes = 256): Ring =>
  Ring.fromMembers(ids, vnodes, hasher.textPosition);

describe('determinism', () => {
  it('builds the same ring from the same members in any order', () => {
    const ids = memberIds('address', 5);
    const shuffled = [ids[2]!, ids[4]!, ids[0]!, ids[3]!, ids[1]!];
    const rings = [ids, [...ids].reverse(), shuffled].map((order) => ring(order));
    for (const other of rings.slice(1)) {
      expect(other.equals(rings[0]!)).toBe(true);
      expect(other.version).toBe(rings[0]!.version);
      expect(other.vnodes()).toEqual(rings[0]!.vnodes());
    }
  });

  const names = (count: number): string[] => memberIds('name', count);
  it.each([
    ['another member set', () => ring(names(4)), () => ring(names(5))],
    ['another vnode count', () => ring(names(3), 128), () => ring(names(3), 64)],
    ['ids that concatenate alike', () => ring(['ab', 'c']), () => ring(['a', 'bc'])],
  ])('changes the version for %s', (_, left, right) => {
    const a = left();
    const b = right();
    expect(a.version).not.toBe(b.version);
    expect(a.equals(b)).toBe(false);
  });

  it('keeps the version a safe integer', () => {
    for (let count = 0; count <= 10; count++) {
      expect(Number.isSafeInteger(ring(memberIds('name', count)).version)).toBe(true);
    }
  });
});

describe.each([
  [1, 1],
  [2, 1],
  [3, 8],
  [5, 64],
  [10, 256],
])('arcs of %i members with %i vnodes each', (count, vnodes) => {
  let r: Ring;
  beforeAll(() => {
    r = ring(memberIds('name', count), vnodes);
  });

  it('partitions [0, 2^32) exactly among the members\' owned ranges', () => {
    const arcs = r.members.flatMap((id) =>
      r.ownedRanges(id).map(([from, to]) => ({ id, from, to })),
    );
    arcs.sort((x, y) => x.from - y.from);
    let next = 0;
    const broken = arcs.filter(({ id, from, to }) => {
      const ok = from === next && to > from && r.leader(from) === id && r.leader(to - 1) === id &&
        r.arcEnd(from) === to && r.arcEnd(to - 1) === to;
      next = to;
      return !ok;
    });
    expect(broken).toEqual([]);
    expect(next).toBe(HASH_SPACE);
  });

  it('ends each position\'s arc where its leader changes', () => {
    const random = seededUint32(count * 1000 + vnodes);
    const positions = Array.from({ length: 2000 }, random);
    const broken = positions.filter((position) => {
      const end = r.arcEnd(position);
      const leader = r.leader(position)!;
      return !(
        end > position &&
        r.leader(end - 1) === leader &&
        (end === HASH_SPACE || count === 1 || r.leader(end) !== leader) &&
        r.owners(position, 1)[0] === leader &&
        r.ownerRank(position, leader, 1) === 0
      );
    });
    expect(broken).toEqual([]);
  });
});
