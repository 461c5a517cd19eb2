import { describe, expect, it } from 'vitest';
import { HASH_SPACE, Ring } from './ring.js';
import { tablePosition } from './testing/fixtures.js';

const TOP = HASH_SPACE - 1;

// Clockwise: 100 a, 300 b, 500 c, 600 a, 800 b, 900 c, then back to 100 a.
const abc = Ring.fromMembers(
  ['c', 'a', 'b'],
  2,
  tablePosition({ 'a#0': 100, 'a#1': 600, 'b#0': 300, 'b#1': 800, 'c#0': 500, 'c#1': 900 }),
);

describe('Ring.fromMembers', () => {
  it('sorts members and places each vnode at position(id#i)', () => {
    expect(abc.members).toEqual(['a', 'b', 'c']);
    expect(abc.size).toBe(3);
    expect(abc.vnodeTotal).toBe(6);
    expect(abc.vnodes().map((v) => `${v.position} ${v.memberId}`)).toEqual([
      '100 a', '300 b', '500 c', '600 a', '800 b', '900 c',
    ]);
  });

  it('ignores duplicate member ids', () => {
    const twice = Ring.fromMembers(['b', 'a', 'c', 'a', 'b'], 2, tablePosition({
      'a#0': 100, 'a#1': 600, 'b#0': 300, 'b#1': 800, 'c#0': 500, 'c#1': 900,
    }));
    expect(twice.equals(abc)).toBe(true);
    expect(twice.version).toBe(abc.version);
  });

  it.each([
    ['zero vnodes', 0, tablePosition({})],
    ['fractional vnodes', 1.5, tablePosition({})],
    ['a negative position', 1, () => -1],
    ['a position at 2^32', 1, () => HASH_SPACE],
    ['a fractional position', 1, () => 0.5],
  ])('rejects %s', (_, vnodeCount, position) => {
    expect(() => Ring.fromMembers(['a'], vnodeCount, position)).toThrow(RangeError);
  });

  it('is immutable', () => {
    expect(Object.isFrozen(abc)).toBe(true);
    expect(Object.isFrozen(abc.members)).toBe(true);
  });
});

describe('placement', () => {
  it.each([
    [0, 'a'],
    [100, 'a'],
    [101, 'b'],
    [300, 'b'],
    [301, 'c'],
    [550, 'a'],
    [899, 'c'],
    [900, 'c'],
    [901, 'a'],
    [TOP, 'a'],
    [HASH_SPACE, 'a'],
  ])('leads position %i with the first vnode clockwise: %s', (position, leader) => {
    expect(abc.leader(position)).toBe(leader);
    expect(abc.owners(position, 1)).toEqual([leader]);
  });

  it.each([
    [101, 2, ['b', 'c']],
    [400, 2, ['c', 'a']],
    [550, 3, ['a', 'b', 'c']],
    [850, 3, ['c', 'a', 'b']],
    [901, 3, ['a', 'b', 'c']],
    [TOP, 2, ['a', 'b']],
    [550, 5, ['a', 'b', 'c']],
    [550, 0, []],
  ])('lists owners of %i (n=%i) as distinct members clockwise: %j', (position, n, owners) => {
    expect(abc.owners(position, n)).toEqual(owners);
  });

  it('skips further vnodes of members already listed', () => {
    // 100 a, 200 a, 300 a, 400 b, 500 c
    const ring = Ring.fromMembers(['a', 'b', 'c'], 3, tablePosition({
      'a#0': 100, 'a#1': 200, 'a#2': 300, 'b#0': 400, 'b#1': 1000, 'b#2': 1100,
      'c#0': 500, 'c#1': 1200, 'c#2': 1300,
    }));
    expect(ring.owners(50, 3)).toEqual(['a', 'b', 'c']);
    expect(ring.owners(1150, 2)).toEqual(['c', 'a']);
  });

  it.each([
    ['x', 'y'],
    ['y', 'x'],
  ])('breaks a tie of positions by member id (given %s, %s)', (first, second) => {
    const ring = Ring.fromMembers([first, second], 1, tablePosition({ 'x#0': 500, 'y#0': 500 }));
    expect(ring.leader(500)).toBe('x');
    expect(ring.leader(501)).toBe('x');
    expect(ring.owners(0, 2)).toEqual(['x', 'y']);
    expect(ring.ownedRanges('x')).toEqual([[0, HASH_SPACE]]);
    expect(ring.ownedRanges('y')).toEqual([]);
  });

  it.each([
    [550, 'a', 3, 0],
    [550, 'b', 3, 1],
    [550, 'c', 3, 2],
    [550, 'c', 2, -1],
    [850, 'a', 2, 1],
    [550, 'zz', 3, -1],
    [550, 'a', 0, -1],
  ])('ranks position %i for %s with n=%i as %i', (position, id, n, rank) => {
    expect(abc.ownerRank(position, id, n)).toBe(rank);
  });

  it('answers nothing on an empty ring', () => {
    const empty = Ring.fromMembers([], 256, () => 0);
    expect(empty.size).toBe(0);
    expect(empty.owners(123, 3)).toEqual([]);
    expect(empty.leader(123)).toBeUndefined();
    expect(empty.ownerRank(123, 'a', 3)).toBe(-1);
    expect(empty.ownedRanges('a')).toEqual([]);
    expect(empty.arcEnd(123)).toBe(HASH_SPACE);
    expect(empty.version).toBe(Ring.fromMembers([], 256, () => 1).version);
  });
});

describe('arcs', () => {
  it.each([
    ['a', [[0, 101], [501, 601], [901, HASH_SPACE]]],
    ['b', [[101, 301], [601, 801]]],
    ['c', [[301, 501], [801, 901]]],
    ['not-a-member', []],
  ])('gives %s the arcs it leads, split at 2^32', (id, arcs) => {
    expect(abc.ownedRanges(id)).toEqual(arcs);
  });

  it.each([
    [0, 101],
    [100, 101],
    [101, 301],
    [550, 601],
    [600, 601],
    [901, HASH_SPACE],
    [TOP, HASH_SPACE],
  ])('ends the leader arc holding %i at %i', (position, end) => {
    expect(abc.arcEnd(position)).toBe(end);
  });

  it('merges a member\'s consecutive arcs, across a tied vnode that leads nothing', () => {
    // 100 a, 300 a, 300 b (tie: a first, so b leads nothing here), 400 a, 600 b, 700 b
    const ring = Ring.fromMembers(['a', 'b'], 3, tablePosition({
      'a#0': 100, 'a#1': 300, 'a#2': 400, 'b#0': 300, 'b#1': 600, 'b#2': 700,
    }));
    expect(ring.ownedRanges('a')).toEqual([[0, 401], [701, HASH_SPACE]]);
    expect(ring.ownedRanges('b')).toEqual([[401, 701]]);
    expect(ring.arcEnd(0)).toBe(401);
    expect(ring.arcEnd(300)).toBe(401);
    expect(ring.arcEnd(450)).toBe(701);
    expect(ring.arcEnd(701)).toBe(HASH_SPACE);
  });

  it('gives a lone member all of hash space', () => {
    const ring = Ring.fromMembers(['solo'], 4, (text) => text.length * 1000);
    expect(ring.ownedRanges('solo')).toEqual([[0, HASH_SPACE]]);
    expect(ring.arcEnd(0)).toBe(HASH_SPACE);
  });

  it('handles a vnode at the top of hash space', () => {
    const ring = Ring.fromMembers(['a', 'b'], 1, tablePosition({ 'a#0': 10, 'b#0': TOP }));
    expect(ring.leader(TOP)).toBe('b');
    expect(ring.ownedRanges('a')).toEqual([[0, 11]]);
    expect(ring.ownedRanges('b')).toEqual([[11, HASH_SPACE]]);
    expect(ring.arcEnd(11)).toBe(HASH_SPACE);
  });
});

describe('preferenceChanged', () => {
  const ab = Ring.fromMembers(['a', 'b'], 2, tablePosition({
    'a#0': 100, 'a#1': 600, 'b#0': 300, 'b#1': 800,
  }));
  it.each([
    [550, 2, false],
    [550, 3, true],
    [200, 1, false],
    [400, 1, true],
    [850, 1, true],
  ])('compares the lists of position %i with n=%i: changed %s', (position, n, changed) => {
    expect(ab.preferenceChanged(abc, position, n)).toBe(changed);
  });
});
