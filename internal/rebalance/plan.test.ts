import { describe, expect, it } from 'vitest';
import { HASH_SPACE, Ring } from '../ring/index.js';
import { tablePosition } from '../ring/testing/fixtures.js';
import { planFromPlacements, planHandOff, planLeave, planStrays, type HandOffPlan } from './plan.js';
import { POSITIONS, ringOf } from './testing/fixtures.js';

// One vnode each: a at 100, b at 200, c at 300, d at 250 (see testing/fixtures.ts). In ring
// [a,b,c] the arcs are [0,101) a, [101,201) b, [201,301) c, [301,2^32) a again.
const END = HASH_SPACE;
const abc = ringOf('a', 'b', 'c');
const abcd = ringOf('a', 'b', 'c', 'd');
const ac = ringOf('a', 'c');
const everyone = (): boolean => true;

type Row = [from: number, to: number, role: 'send' | 'drop', targets: string[], keepAfter: boolean];
const rows = (plan: HandOffPlan): Row[] =>
  plan.arcs.map((a) => [a.from, a.to, a.role, [...a.targets], a.keepAfter]);

describe('planHandOff', () => {
  it.each<[string, Ring, Ring, string, number, (id: string) => boolean, Row[]]>([
    // Join of d at 250.
    ['join, replicas 0: the old leader sends and forgets', abc, abcd, 'c', 0, everyone, [[201, 251, 'send', ['d'], false]]],
    ['join, replicas 0: an untouched member does nothing', abc, abcd, 'a', 0, everyone, []],
    ['join, replicas 0: the joiner only receives', abc, abcd, 'd', 0, everyone, []],
    ['join, replicas 1: the leader sends and keeps', abc, abcd, 'b', 1, everyone, [[101, 201, 'send', ['d'], true]]],
    ['join, replicas 1: a pushed-out replica drops after confirming with the new list', abc, abcd, 'a', 1, everyone, [[201, 251, 'drop', ['d', 'c'], false]]],
    [
      'join, replicas 1: one node sends one arc and drops another',
      abc, abcd, 'c', 1, everyone,
      [[101, 201, 'drop', ['b', 'd'], false], [201, 251, 'send', ['d'], true]],
    ],
    [
      'join, replicas 2: the leader sends both of its arcs, drops the one it leaves',
      abc, abcd, 'a', 2, everyone,
      [[0, 101, 'send', ['d'], true], [101, 201, 'drop', ['b', 'd', 'c'], false], [301, END, 'send', ['d'], true]],
    ],
    [
      'join, replicas 2: the third replica drops',
      abc, abcd, 'c', 2, everyone,
      [[0, 101, 'drop', ['a', 'b', 'd'], false], [201, 251, 'send', ['d'], true], [301, END, 'drop', ['a', 'b', 'd'], false]],
    ],
    // b leaves (gracefully or dead: the ring is the same; b is out of it).
    [
      'leave, replicas 1: the leaver drops every arc it held, confirming with the new lists',
      abc, ac, 'b', 1, everyone,
      [[0, 101, 'drop', ['a', 'c'], false], [101, 201, 'drop', ['c', 'a'], false], [301, END, 'drop', ['a', 'c'], false]],
    ],
    ['leave, replicas 1: the next survivor sends the leaver\'s arc', abc, ac, 'c', 1, everyone, [[101, 201, 'send', ['a'], true]]],
    [
      'leave, replicas 1: a survivor re-replicates to the member its lists gained',
      abc, ac, 'a', 1, everyone,
      [[0, 101, 'send', ['c'], true], [301, END, 'send', ['c'], true]],
    ],
    ['failure, replicas 0: nobody survives to send the dead member\'s arc', abc, ac, 'c', 0, everyone, []],
    // A suspect member is still in the ring but cannot send: the next alive old member does.
    ['failure of a suspect sender: the next old member sends and forgets', abc, abcd, 'a', 1, (id) => id !== 'c', [[201, 251, 'send', ['d'], false]]],
    ['a node counts itself alive whatever the view says', abc, abcd, 'c', 1, (id) => id !== 'c', [[101, 201, 'drop', ['b', 'd'], false], [201, 251, 'send', ['d'], true]]],
    ['the last member leaving an empty ring keeps its keys', ringOf('a'), ringOf(), 'a', 0, everyone, []],
    ['an unchanged ring plans nothing', abc, ringOf('c', 'b', 'a'), 'a', 2, everyone, []],
  ])('%s', (_name, before, after, self, replicas, alive, expected) => {
    expect(rows(planHandOff(before, after, self, replicas, alive))).toEqual(expected);
  });

  describe('vnode ties (d at 200, the same position as b: b sorts first and leads)', () => {
    const tie = (...ids: string[]): Ring => Ring.fromMembers(ids, 1, tablePosition({ ...POSITIONS, 'd#0': 200 }));
    it.each<[string, string, number, Row[]]>([
      ['replicas 0: the tied joiner leads nothing, so nothing moves', 'b', 0, []],
      ['replicas 1: the leader sends to the tied joiner, its replica', 'b', 1, [[101, 201, 'send', ['d'], true]]],
      ['replicas 1: the displaced replica drops', 'c', 1, [[101, 201, 'drop', ['b', 'd'], false]]],
    ])('%s', (_name, self, replicas, expected) => {
      expect(rows(planHandOff(tie('a', 'b', 'c'), tie('a', 'b', 'c', 'd'), self, replicas, everyone))).toEqual(expected);
    });
  });

  it('counts changed arcs nobody can send', () => {
    expect(planHandOff(abc, ac, 'a', 0, everyone).unsentArcs).toBe(1);
    expect(planHandOff(abc, ac, 'a', 1, everyone).unsentArcs).toBe(0);
  });

  it('is a pure function of its inputs', () => {
    const first = planHandOff(abc, abcd, 'c', 2, everyone);
    expect(planHandOff(abc, abcd, 'c', 2, everyone)).toEqual(first);
    expect(first).toMatchObject({ self: 'c', replicas: 2, fromVersion: abc.version, version: abcd.version });
    expect(abc.members).toEqual(['a', 'b', 'c']);
  });
});

describe('planLeave', () => {
  it('confirms every arc with its whole new preference list', () => {
    expect(rows(planLeave(ac, 'b', 1))).toEqual([
      [0, 101, 'drop', ['a', 'c'], false],
      [101, 301, 'drop', ['c', 'a'], false],
      [301, END, 'drop', ['a', 'c'], false],
    ]);
  });

  it('covers the whole ring, so keys from any earlier placement are handed off', () => {
    const arcs = planLeave(abcd, 'e', 0).arcs;
    expect(arcs[0]?.from).toBe(0);
    expect(arcs[arcs.length - 1]?.to).toBe(END);
    expect(arcs.every((a, i) => i === 0 || arcs[i - 1]?.to === a.from)).toBe(true);
  });

  it('keeps everything when no ring is left', () => {
    expect(planLeave(ringOf(), 'a', 1).arcs).toEqual([]);
  });
});

describe('planStrays', () => {
  const strayRows = (arcs: ReturnType<typeof planStrays>): Row[] => rows({ arcs } as unknown as HandOffPlan);

  it('drops, to their owners, only the arcs this node does not own that hold a stray', () => {
    // In [a,b,c] with replicas 0, b owns [101, 201) only. A stray at 250 sits in c's arc.
    expect(strayRows(planStrays(abc, 'b', 0, [250]))).toEqual([[201, 301, 'drop', ['c'], false]]);
    // Strays at 50 and 350 both sit in a's arcs (either side of 0); one at 150 is owned: none.
    expect(strayRows(planStrays(abc, 'b', 0, [350, 150, 50]))).toEqual([
      [0, 101, 'drop', ['a'], false],
      [301, END, 'drop', ['a'], false],
    ]);
  });

  it('walks every arc not owned here when the positions are not known', () => {
    expect(strayRows(planStrays(abc, 'b', 0, undefined))).toEqual([
      [0, 101, 'drop', ['a'], false],
      [201, 301, 'drop', ['c'], false],
      [301, END, 'drop', ['a'], false],
    ]);
  });

  it('has nothing to drop where this node is a replica', () => {
    // replicas 1 in [a,b,c]: b is in the lists of [0,101) [a,b] and [101,201) [b,c], not of [201,301) [c,a].
    expect(strayRows(planStrays(abc, 'b', 1, [50, 150, 250]))).toEqual([[201, 301, 'drop', ['c', 'a'], false]]);
  });
});

describe('planFromPlacements', () => {
  const abcde = ringOf('a', 'b', 'c', 'd', 'e'); // e at 50 takes [301, 2^32) and [0, 51) from a

  it('plans from the base alone after a completed hand-off', () => {
    expect(planFromPlacements([abc], abcd, 'c', 0, everyone)).toEqual(planHandOff(abc, abcd, 'c', 0, everyone));
  });

  it('adds the arcs an abandoned hand-off\'s ring gave this node', () => {
    // a's hand-off to abcd was abandoned (d joined, nothing of a's moved); now e joins. The plan
    // is both parts in order: a sends e's arcs as placed by abc and as placed by abcd.
    const plan = planFromPlacements([abc, abcd], abcde, 'a', 0, everyone)!;
    expect(rows(plan)).toEqual([
      ...rows(planHandOff(abc, abcde, 'a', 0, everyone)),
      ...rows(planHandOff(abcd, abcde, 'a', 0, everyone)),
    ]);
    expect(plan).toMatchObject({ fromVersion: abc.version, version: abcde.version });
  });

  it('plans nothing when every placement already is the newest ring', () => {
    expect(planFromPlacements([abcd], abcd, 'a', 1, everyone)).toBeUndefined();
    expect(planFromPlacements([], abcd, 'a', 1, everyone)).toBeUndefined();
  });
});
