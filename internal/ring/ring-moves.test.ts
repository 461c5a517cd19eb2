import { beforeAll, describe, expect, it } from 'vitest';
import { createHasher } from './hash.js';
import type { Hasher } from './hash.js';
import { Ring } from './ring.js';
import { diffRanges } from './ring-diff.js';
import type { ChangedArc } from './ring-diff.js';
import { memberIds, randomKeys } from './testing/fixtures.js';

let hasher: Hasher;
let positions: number[];
let three: Ring;
let four: Ring;
const JOINER = 'gokv4';

beforeAll(async () => {
  hasher = await createHasher();
  positions = randomKeys(10_000, 42).map(hasher.keyPosition);
  three = Ring.fromMembers(memberIds('name', 3), 256, hasher.textPosition);
  four = Ring.fromMembers(memberIds('name', 4), 256, hasher.textPosition);
});

/** The arc of a sorted, disjoint list that holds position p (binary search). */
function arcHolding(arcs: readonly ChangedArc[], p: number): ChangedArc | undefined {
  let lo = 0;
  let hi = arcs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arcs[mid]!.to <= p) lo = mid + 1;
    else hi = mid;
  }
  const arc = arcs[lo];
  return arc !== undefined && arc.from <= p ? arc : undefined;
}

/** `prefix` equals the first prefix.length entries of `list`. */
const isPrefix = (prefix: readonly string[], list: readonly string[]): boolean =>
  prefix.every((id, i) => list[i] === id);

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && isPrefix(a, b);

// Loops collect the positions that break a rule and expect none, rather than calling expect
// 10k times: faster, and a failure shows every offending position at once.
describe('a join', () => {
  it('moves only the joining node\'s keys', () => {
    const moved = positions.filter((p) => three.leader(p) !== four.leader(p));
    expect(moved.filter((p) => four.leader(p) !== JOINER)).toEqual([]);
    // About a quarter of the keys: the joiner's share.
    expect(moved.length / positions.length).toBeGreaterThan(0.15);
    expect(moved.length / positions.length).toBeLessThan(0.35);
  });

  it('changes a preference list (n=3) only by the joiner entering it', () => {
    const broken = positions.filter((p) => {
      const before = three.owners(p, 3);
      const after = four.owners(p, 3);
      if (after.length !== 3) return true;
      if (!after.includes(JOINER)) return !sameList(after, before);
      return !isPrefix(after.filter((id) => id !== JOINER), before);
    });
    expect(broken).toEqual([]);
  });
});

describe('a removal', () => {
  const LEAVER = 'gokv2';
  let left: Ring;
  beforeAll(() => {
    left = Ring.fromMembers(['gokv1', 'gokv3', 'gokv4'], 256, hasher.textPosition);
  });

  it('moves only the removed node\'s keys', () => {
    const moved = positions.filter((p) => four.leader(p) !== left.leader(p));
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.filter((p) => four.leader(p) !== LEAVER)).toEqual([]);
  });

  it('changes a preference list (n=3) only by the removed member leaving it', () => {
    const broken = positions.filter((p) => {
      const before = four.owners(p, 3);
      const after = left.owners(p, 3);
      if (!before.includes(LEAVER)) return !sameList(after, before);
      return !isPrefix(before.filter((id) => id !== LEAVER), after);
    });
    expect(broken).toEqual([]);
  });
});

describe('diffRanges', () => {
  it.each([1, 2, 3])('covers exactly the keys whose preference list (n=%i) changed', (n) => {
    const arcs = diffRanges(three, four, n);
    expect(arcs.filter((arc, k) => k > 0 && arc.from < arcs[k - 1]!.to)).toEqual([]);
    const broken = positions.filter((p) => {
      const arc = arcHolding(arcs, p);
      if (arc === undefined) return three.preferenceChanged(four, p, n);
      return !sameList(arc.before, three.owners(p, n)) || !sameList(arc.after, four.owners(p, n));
    });
    expect(broken).toEqual([]);
    expect(arcs.length).toBeGreaterThan(0);
  });

  it('is empty between equal rings', () => {
    const again = Ring.fromMembers(memberIds('name', 3).reverse(), 256, hasher.textPosition);
    expect(diffRanges(three, again, 3)).toEqual([]);
  });

  it('lists the whole space when the ring empties', () => {
    const empty = Ring.fromMembers([], 256, hasher.textPosition);
    const arcs = diffRanges(three, empty, 1);
    expect(arcs[0]!.from).toBe(0);
    expect(arcs[arcs.length - 1]!.to).toBe(2 ** 32);
    expect(arcs.every((a) => a.after.length === 0)).toBe(true);
  });
});
