import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import { createHasher, HASH_SPACE, Ring } from '../ring/index.js';
import { overlay, PendingRanges, type PendingSegment } from './pending-ranges.js';
import { ringOf } from './testing/fixtures.js';

// One vnode each: a at 100, b at 200, c at 300, d at 250 (testing/fixtures.ts).
const abc = ringOf('a', 'b', 'c');
const abcd = ringOf('a', 'b', 'c', 'd');
const ac = ringOf('a', 'c');
const END = HASH_SPACE;

type Seg = [from: number, to: number, sources: string[]];
const segs = (p: PendingRanges): Seg[] => p.segments().map((s) => [s.from, s.to, [...s.sources]]);

describe('PendingRanges.gain', () => {
  it.each<[string, ReturnType<typeof ringOf>, ReturnType<typeof ringOf>, string, number, Seg[]]>([
    ['a joiner gains the arc it now leads, from its old leader (replicas 0)', abc, abcd, 'd', 1, [[201, 251, ['c']]]],
    ['a joiner gains its replica arcs too, sources in old-list order (replicas 1)', abc, abcd, 'd', 2, [[101, 201, ['b', 'c']], [201, 251, ['c', 'a']]]],
    ['an old member gains nothing from a join', abc, abcd, 'c', 2, []],
    ['a survivor gains the arcs a leaver held, from whoever held them', abc, ac, 'c', 2, [[0, 101, ['a', 'b']], [301, END, ['a', 'b']]]],
    ['a node joining an empty ring has nobody to pull from', ringOf(), ringOf('a'), 'a', 1, []],
  ])('%s', (_name, before, after, self, n, expected) => {
    const p = new PendingRanges();
    p.gain(before, after, self, n, 0);
    expect(segs(p)).toEqual(expected);
  });

  it('keeps the union of sources where two changes overlap, older sources first', () => {
    const p = new PendingRanges();
    p.gain(abc, abcd, 'd', 2, 0); // [101,201) from b,c and [201,251) from c,a
    // Another view's change: from [a,c] to [a,c,d], d gains [0,101) and [301,END) from a,c and
    // [101,251) from c,a.
    p.gain(ac, ringOf('a', 'c', 'd'), 'd', 2, 7);
    expect(segs(p)).toEqual([
      [0, 101, ['a', 'c']],
      [101, 201, ['b', 'c', 'a']],
      [201, 251, ['c', 'a']],
      [301, END, ['a', 'c']],
    ]);
  });
});

describe('PendingRanges.gain at the largest cluster.v_node_count', () => {
  // A join at v_node_count 65536 (the validator's maximum) gains tens of thousands of arcs. They
  // were added one at a time, each re-walking and re-sorting every pending segment: minutes of
  // blocked event loop on a joiner (8192 vnodes: 25 s for two nodes to converge, 4.5 s stalls).
  it('records every gained arc of a join in one pass, ascending and disjoint', async () => {
    const { textPosition } = await createHasher();
    const before = Ring.fromMembers(['n1', 'n2'], 65_536, textPosition);
    const after = Ring.fromMembers(['n1', 'n2', 'n3'], 65_536, textPosition);
    const p = new PendingRanges();
    const added = p.gain(before, after, 'n3', 2, 0);
    expect(added).toBeGreaterThan(10_000);
    expect(p.size).toBe(added);
    const all = p.segments();
    for (let i = 1; i < all.length; i++) expect(all[i]!.from).toBeGreaterThanOrEqual(all[i - 1]!.to);
    for (const s of all.filter((_, i) => i % 997 === 0)) {
      expect(after.owners(s.from, 2)).toContain('n3');
      expect(before.owners(s.from, 2)).not.toContain('n3');
      expect(s.sources).toEqual(before.owners(s.from, 2));
    }
  }, 30_000);
});

describe('PendingRanges bookkeeping', () => {
  const pending = () => {
    const p = new PendingRanges();
    p.gain(abc, abcd, 'd', 2, 0);
    return p;
  };

  it('finds the segment of a position, and nothing outside', () => {
    const p = pending();
    expect(p.find(150)?.sources).toEqual(['b', 'c']);
    expect(p.find(201)?.sources).toEqual(['c', 'a']);
    expect(p.find(250)?.from).toBe(201);
    expect(p.find(251)).toBeUndefined();
    expect(p.find(100)).toBeUndefined();
  });

  it('ends the part a first source reports handed off, ignoring reports of other sources', () => {
    const p = pending();
    expect(p.handed('c', [{ from: 101, to: 201 }])).toBe(0); // c is not b's arc's first source
    expect(p.handed('b', [{ from: 101, to: 151 }])).toBe(50);
    expect(segs(p)).toEqual([
      [151, 201, ['b', 'c']],
      [201, 251, ['c', 'a']],
    ]);
    p.handed('c', [{ from: 0, to: END }]);
    expect(segs(p)).toEqual([[151, 201, ['b', 'c']]]);
  });

  it('moves on to the next source when one is gone, and ends a segment with none left', () => {
    const p = pending();
    p.removeSource('b');
    expect(segs(p)).toEqual([
      [101, 201, ['c']],
      [201, 251, ['c', 'a']],
    ]);
    expect(p.handed('c', [{ from: 101, to: 201 }])).toBe(100);
    expect(p.removeSource('c')).toBe(0);
    expect(p.removeSource('a')).toBe(1);
    expect(p.size).toBe(0);
  });

  it('lists the pending parts inside a range, clipped', () => {
    expect(pending().overlapping(150, 220).map((s) => [s.from, s.to])).toEqual([
      [150, 201],
      [201, 220],
    ]);
  });

  it('lists nothing between or beyond segments, and each touching segment once', () => {
    const p = new PendingRanges();
    p.add([10, 30, 50].map((from) => ({ from, to: from + 10, sources: ['a'], sinceMs: 0, takeover: false })));
    const parts = (from: number, to: number) => p.overlapping(from, to).map((s) => [s.from, s.to]);
    expect(parts(20, 30)).toEqual([]);
    expect(parts(60, 70)).toEqual([]);
    expect(parts(0, 10)).toEqual([]);
    expect(parts(19, 31)).toEqual([
      [19, 20],
      [30, 31],
    ]);
    expect(parts(0, 100)).toEqual([
      [10, 20],
      [30, 40],
      [50, 60],
    ]);
  });

  it('drops the parts this node no longer owns (gained, then lost again)', () => {
    const p = new PendingRanges();
    p.gain(abc, ac, 'c', 2, 0); // b died: c gains [0,101) and [301,END) from a,b
    p.keepOwned(abc, 'c', 2); // b is back: c owns none of it again
    expect(segs(p)).toEqual([]);
    const q = pending(); // d: [101,201) and [201,251)
    const lost = q.keepOwned(ringOf('a', 'b', 'd'), 'd', 1); // without c, d leads (200,250] only: [201,251)
    expect(segs(q)).toEqual([[201, 251, ['c', 'a']]]);
    // The parts dropped, with their sources and gain time: a later owner may still pull them from d.
    expect(lost.map((s) => [s.from, s.to, [...s.sources], s.sinceMs])).toEqual([[101, 201, ['b', 'c'], 0]]);
  });

  it('keeps lost parts apart (add) until this node owns them again (dropOwned)', () => {
    const lost = new PendingRanges();
    lost.add(pending().keepOwned(ringOf('a', 'b', 'd'), 'd', 1));
    expect(segs(lost)).toEqual([[101, 201, ['b', 'c']]]);
    expect(lost.dropOwned(ringOf('a', 'b', 'd'), 'd', 1)).toBe(0);
    expect(lost.dropOwned(ringOf('a', 'c', 'd'), 'd', 2)).toBe(1); // d holds (100,250] again
    expect(segs(lost)).toEqual([]);
  });

  it('expires segments gained before a cutoff', () => {
    const p = pending(); // gained at 0
    expect(p.expire(0)).toEqual([]);
    expect(p.expire(50).map((s) => [s.from, s.to])).toEqual([
      [101, 201],
      [201, 251],
    ]);
    expect(p.size).toBe(0);
  });

  it('restarts the clock where a newer gain overlaps', () => {
    const p = pending(); // gained at 0
    p.gain(ac, ringOf('a', 'c', 'd'), 'd', 1, 100); // d leads [101,251) in this view: overlaps both
    expect(p.expire(50)).toEqual([]);
    expect(p.size).toBe(2);
  });
});

describe('overlay (gained arcs laid over the pending segments in one pass)', () => {
  // Checked point by point against a plain model: where both lists hold a position, the old
  // segment's sources come first, then the new ones not already there; the later gain time; either
  // takeover. Elsewhere, whichever list holds it, unchanged. Nothing else is covered.
  const SPACE = 400;
  const random = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  function randomSegments(next: () => number, tag: string): PendingSegment[] {
    const out: PendingSegment[] = [];
    for (let at = Math.floor(next() * 20); at < SPACE; ) {
      const to = Math.min(SPACE, at + 1 + Math.floor(next() * 40));
      if (next() < 0.6) {
        const sources = ['a', 'b', 'c', tag].filter(() => next() < 0.5);
        out.push({ from: at, to, sources: sources.length > 0 ? sources : [tag], sinceMs: Math.floor(next() * 10), takeover: next() < 0.3 });
      }
      at = to + (next() < 0.5 ? 0 : Math.floor(next() * 15));
    }
    return out;
  }
  const at = (list: readonly PendingSegment[], x: number) => list.find((s) => s.from <= x && x < s.to);

  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('matches the model, seed %i', (seed) => {
    const next = random(seed);
    const old = randomSegments(next, 'x');
    const added = randomSegments(next, 'y');
    const merged = overlay(old, added);
    for (let i = 0; i < merged.length; i++) {
      expect(merged[i]!.from).toBeLessThan(merged[i]!.to);
      if (i > 0) expect(merged[i]!.from).toBeGreaterThanOrEqual(merged[i - 1]!.to);
    }
    for (let x = 0; x < SPACE; x++) {
      const o = at(old, x);
      const a = at(added, x);
      const m = at(merged, x);
      if (o === undefined && a === undefined) {
        expect(m).toBeUndefined();
        continue;
      }
      const sources = o === undefined ? a!.sources : a === undefined ? o.sources : [...o.sources, ...a.sources.filter((s) => !o.sources.includes(s))];
      expect(m, `position ${x}`).toMatchObject({
        sources,
        sinceMs: Math.max(o?.sinceMs ?? 0, a?.sinceMs ?? 0),
        takeover: (o?.takeover ?? false) || (a?.takeover ?? false),
      });
    }
  });
});

describe('PendingRanges when many members drop out together', () => {
  // 1000 members died together, then were forgotten: each drop walked every segment (about 64k
  // here, 256k at 256 vnodes), quadratic in members: about 50 s here, 200 s at 256 vnodes.
  // A drop now visits only the segments the member is a source of.
  it('drops 1000 dead, then forgotten, members without a pass over every segment each', async () => {
    const { textPosition } = await createHasher();
    const real = ['n1', 'n2', 'n3'];
    const gone = Array.from({ length: 1000 }, (_, i) => `gone-${i}`);
    const before = Ring.fromMembers([...real, ...gone], 64, textPosition);
    const after = Ring.fromMembers(real, 64, textPosition);
    const p = new PendingRanges();
    const gained = p.gain(before, after, 'n1', 3, 0);
    expect(gained).toBeGreaterThan(50_000);
    // Taken over from the dead: waited for, not dropped.
    expect(gone.reduce((ended, id) => ended + p.markDead(id), 0)).toBe(0);
    const ended = gone.reduce((sum, id) => sum + p.removeSource(id), 0);
    expect(p.size).toBe(gained - ended);
    expect(p.segments().every((s) => s.sources.length > 0 && s.sources.every((id) => real.includes(id)))).toBe(true);
  });

  // The drop as it was, one pass over every segment: the model the indexed drop must match.
  const modelDrop = (segments: readonly PendingSegment[], member: string, where: (s: PendingSegment) => boolean) =>
    segments.flatMap((s) => {
      if (!s.sources.includes(member) || !where(s)) return [s];
      const sources = s.sources.filter((id) => id !== member);
      return sources.length === 0 ? [] : [{ ...s, sources }];
    });
  const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

  it.each(Array.from({ length: 30 }, (_, i) => i + 1))('drops as one pass over every segment did, seed %i', (seed) => {
    const rnd = new SeededRandom(seed);
    const someRing = () => ringOf(...ids.filter(() => rnd.int(3) > 0));
    const p = new PendingRanges();
    for (let step = 0; step < 60; step++) {
      const before = p.segments().map((s) => ({ ...s }));
      const id = ids[rnd.int(ids.length)]!;
      const op = rnd.int(8);
      if (op === 0) p.markDead(id);
      else if (op === 1) p.removeSource(id);
      else if (op === 2) p.gain(someRing(), someRing(), id, 1 + rnd.int(3), step);
      else if (op === 3) p.handed(id, [{ from: rnd.int(320), to: rnd.int(320) + 20 }]);
      else if (op === 4) p.keepOwned(someRing(), id, 1 + rnd.int(3));
      else if (op === 5) p.markLeft(id);
      else if (op === 6) p.markAlive(id);
      else p.expire(rnd.int(step + 1));
      if (op === 0) expect(p.segments()).toEqual(modelDrop(before, id, (s) => !s.takeover));
      if (op === 1) expect(p.segments()).toEqual(modelDrop(before, id, () => true));
      expect(p.size).toBe(p.segments().length);
    }
  });
});
