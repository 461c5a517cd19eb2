import { afterEach, describe, expect, it } from 'vitest';
import type { Ring } from '../ring/index.js';
import { readableHash } from '../store/testing/fixtures.js';
import type { Arrivals } from './arrivals.js';
import { RANGE_PAGE_KEYS, type Departures } from './departures.js';
import { flush, keysBetween, spreadRingOf, TEST_OPTIONS, TestCluster, UNIT } from './testing/fixtures.js';
import { wireReceivingSide } from './testing/wiring.js';

// Two joins in one gossip window (spread ring, units of 2^22: a 100, b 200, d 250, f 260, c 300;
// replicas 0). c leads (200, 300] in [a,b,c]. f joins and gains (200, 260] from c; before c has
// handed it anything, d joins, seen by f, and takes (200, 250] from f. f holds nothing of it yet:
// before the fix, its hand-off run reported that arc done to d, which then stopped pulling and
// would have started c's keys afresh. Now f first fetches what c holds there and hands it to d.
const WINDOW_MS = 60_000;
const ABC = spreadRingOf('a', 'b', 'c');
const ABCF = spreadRingOf('a', 'b', 'c', 'f');
const ABCDF = spreadRingOf('a', 'b', 'c', 'd', 'f');
const ABCD_ONLY = spreadRingOf('a', 'b', 'c', 'd');
const MOVING = keysBetween(200, 250, 6, 'm');

let cluster: TestCluster;
afterEach(() => cluster.stopAll());

function setup() {
  cluster = new TestCluster(['a', 'b', 'c', 'd', 'f'], ABC, TEST_OPTIONS);
  const sides = new Map<string, { arrivals: Arrivals; departures: Departures }>();
  for (const id of cluster.nodes.keys()) sides.set(id, wireReceivingSide(cluster, id, { replicas: 0, windowMs: WINDOW_MS, leaving: () => false }));
  const side = (id: string) => sides.get(id)!;
  /** Node `id` moves to `after`, as hand-off-wiring.ts onRingChange (a joiner was alone before). */
  const move = (id: string, after: Ring, before = cluster.node(id).ring) => {
    cluster.node(id).ring = after;
    cluster.node(id).rebalancer.onRingChange(before, after);
    side(id).arrivals.onRingChange(before, after);
  };
  cluster.placeAll(MOVING, ABC); // on c
  move('f', ABCF, ABC); // f joined: (200, 260] arriving from c
  move('f', ABCDF); // f hears of d: (200, 250] lost to d before c handed it
  move('d', ABCDF, ABCF); // d joined seeing f: (200, 250] arriving from f
  return { side };
}

describe('a member still receiving a range reports it handed off only with what it was due to receive', () => {
  it('fetches the range from its own previous owner and hands it on before its done', async () => {
    const { side } = setup();
    const arc = { from: 200 * UNIT + 1, to: 250 * UNIT + 1 }; // (200, 250]
    expect(side('f').arrivals.stillArriving(arc.from, arc.to, 'd')).toEqual([{ ...arc, sources: ['c'] }]);
    await cluster.settle();
    const d = cluster.node('d').store;
    for (const key of MOVING) expect(d.exportKey(key), key).toMatchObject({ value: ['f', 'v'] });
    // f reported the arc done to d (d no longer pulls), and only after it had handed c's keys on.
    const calls = cluster.network.delivered.filter((c) => c.from === 'f' && c.to === 'd');
    expect(calls.map((c) => c.kind)).toEqual(['send', 'done']);
    expect(side('d').arrivals.ready(MOVING[0]!, readableHash(MOVING[0]!))).toBeUndefined();
    // c steers the keys' later commands to d while its own view still says it leads them.
    expect(side('c').departures.movedTo(MOVING[0]!, () => true)).toBe('d');
  });

  it('hands a deletion on too, so the next owner does not start the key below its tombstone', async () => {
    const { side } = setup();
    const key = MOVING[1]!;
    const version = cluster.node('c').store.versionOf(key);
    cluster.node('c').store.delete(key, version + 1);
    await cluster.settle();
    expect(cluster.node('d').store.versionOf(key)).toBe(version + 1);
    expect(cluster.node('d').store.exportKey(key)).toMatchObject({ deleted: true });
    expect(side('d').arrivals.ready(key, readableHash(key))).toBeUndefined();
  });

  it('leaves the range unreported while its previous owner cannot be read: the next owner keeps pulling', async () => {
    const { side } = setup();
    cluster.network.cut('c');
    await cluster.settle();
    expect(cluster.network.delivered.filter((c) => c.from === 'f' && c.to === 'd' && c.kind === 'done')).toEqual([]);
    const pull = side('d').arrivals.ready(MOVING[0]!, readableHash(MOVING[0]!));
    expect(pull).toBeInstanceOf(Promise);
    await expect(pull).rejects.toThrow(/UNAVAILABLE/); // f cannot reach c for it either: refused, retryable
  });

  it('reads a previous owner slower than ackTimeoutMs, with a longer deadline after a timeout', async () => {
    // c answers range fetches 1.5 x ackTimeoutMs late. At ackTimeoutMs every time, all three
    // attempts timed out and the arc stayed unreported to d, which pulled key by key instead.
    const { side } = setup();
    cluster.network.beforeDeliver = (call) =>
      call.kind === 'fetchRange' && call.to === 'c' ? new Promise<void>((resolve) => cluster.clock.setTimeout(resolve, 1_500)) : undefined;
    await cluster.settle(undefined, 50);
    expect(cluster.network.calls.filter((c) => c.kind === 'fetchRange' && c.from === 'f').length).toBe(2);
    const d = cluster.node('d').store;
    for (const key of MOVING) expect(d.exportKey(key), key).toMatchObject({ value: ['f', 'v'] });
    expect(cluster.network.delivered.filter((c) => c.from === 'f' && c.to === 'd').map((c) => c.kind)).toEqual(['send', 'done']);
    expect(side('d').arrivals.ready(MOVING[0]!, readableHash(MOVING[0]!))).toBeUndefined();
  });

  it('does not fetch for a target that was itself a previous owner of the range (it holds its own copies)', async () => {
    const { side } = setup();
    expect(side('f').arrivals.stillArriving(200 * UNIT + 1, 250 * UNIT + 1, 'c')).toEqual([]);
  });
});

describe('a source itself still receiving the range names its own sources, asked in turn', () => {
  it('answers with the members it still receives the range from, leaving out the asker', async () => {
    setup();
    const arc = { from: 200 * UNIT + 1, to: 250 * UNIT + 1 };
    // f is still receiving (200, 250] from c: asked by a for d, it names c; asked by c, nobody.
    expect((await cluster.network.sinkFor('a').fetchRange('f', 'd', arc.from, arc.to)).stillFrom).toEqual(['c']);
    expect((await cluster.network.sinkFor('c').fetchRange('f', 'd', arc.from, arc.to)).stillFrom).toEqual([]);
  });

  it('follows the names through a member holding nothing to the one holding the keys, each asked once', async () => {
    // c hands (200, 250] to d (d joins [a,b,c]) while still receiving it from a, which holds
    // nothing and is itself still receiving it from b, which holds the key (three joins before
    // the first one's arcs arrived, reduced to its calls).
    cluster = new TestCluster(['a', 'b', 'c', 'd'], ABC, TEST_OPTIONS);
    const key = MOVING[0]!;
    cluster.put(key, ['b'], 'at b');
    const part = { from: 200 * UNIT + 1, to: 250 * UNIT + 1 };
    cluster.node('c').arriving = (from, to, target) => (target === 'd' && from < part.to && to > part.from ? [{ ...part, sources: ['a'] }] : []);
    cluster.network.serve('a', { fetch: () => ({ states: [], deferred: [] }), scan: (_f, to) => ({ keys: [], next: to }), fetchRange: (_asker, _for, _from, to) => ({ states: [], next: to, stillFrom: ['b'] }) });
    const { departures } = wireReceivingSide(cluster, 'b', { replicas: 0, windowMs: WINDOW_MS, leaving: () => false });
    cluster.network.serve('b', {
      fetch: () => ({ states: [], deferred: [] }),
      scan: (_f, to) => ({ keys: [], next: to }),
      // b names a back (a cycle): it is not asked twice.
      fetchRange: (_asker, forId, from, to) => ({ ...departures.fetchRange(forId, from, to, readableHash), stillFrom: ['a'] }),
    });
    cluster.changeRing(ABCD_ONLY, ['c']);
    await cluster.settle();
    expect(cluster.node('d').store.exportKey(key)).toMatchObject({ value: ['f', 'at b'] });
    const ranges = cluster.network.delivered.filter((c) => c.kind === 'fetchRange').map((c) => `${c.from}>${c.to}`);
    expect(ranges).toEqual(['c>a', 'c>b']);
    const toD = cluster.network.delivered.filter((c) => c.from === 'c' && c.to === 'd').map((c) => c.kind);
    expect(toD.at(-1)).toBe('done');
    expect(toD).toContain('send');
  });
});

describe('a key several sources hold (replicas)', () => {
  it('goes to the target once at each newer version, not once per source', async () => {
    // c hands (200, 250] to d while still receiving it from a and b (replicas of it).
    cluster = new TestCluster(['a', 'b', 'c', 'd'], ABC, TEST_OPTIONS);
    for (const id of ['a', 'b', 'd']) wireReceivingSide(cluster, id, { replicas: 0, windowMs: WINDOW_MS, leaving: () => false });
    const part = { from: 200 * UNIT + 1, to: 250 * UNIT + 1 };
    cluster.node('c').arriving = (from, to, target) => (target === 'd' && from < part.to && to > part.from ? [{ ...part, sources: ['a', 'b'] }] : []);
    const [same, moved] = [MOVING[0]!, MOVING[1]!];
    cluster.put(same, ['a', 'b'], 'v', 5);
    cluster.put(moved, ['a'], 'older', 6);
    cluster.put(moved, ['b'], 'newer', 7);
    cluster.changeRing(ABCD_ONLY, ['c']);
    await cluster.settle();
    expect(cluster.node('d').store.exportKey(moved)).toMatchObject({ value: ['f', 'newer'] });
    expect(cluster.node('d').store.versionOf(same)).toBe(5);
    expect(cluster.network.statesDeliveredTo('d')).toBe(3); // same once, moved at 6 then at 7
  });
});

describe('a source that cannot be read', () => {
  it('is tried COLLECT_ATTEMPTS times in a run, not again for each arc, and no arc is reported', async () => {
    // c hands (200, 250] to d and (250, 260] to f, one arc after the other, both still
    // arriving at c from a, cut off.
    cluster = new TestCluster(['a', 'b', 'c', 'd', 'f'], ABC, { ...TEST_OPTIONS, arcParallelism: 1 });
    cluster.node('c').arriving = (from, to) => [{ from, to, sources: ['a'] }];
    cluster.network.cut('a');
    cluster.changeRing(ABCDF, ['c']);
    await cluster.settle();
    const tries = cluster.network.calls.filter((c) => c.kind === 'fetchRange' && c.from === 'c');
    expect(tries.length).toBe(3);
    expect(cluster.network.delivered.filter((c) => c.from === 'c' && c.kind === 'done')).toEqual([]);
  });
});

describe('Departures.fetchRange', () => {
  it('answers every key of a range over several pages, each complete below its next', async () => {
    const { side } = setup();
    const many = keysBetween(200, 250, RANGE_PAGE_KEYS * 3, 'p');
    cluster.placeAll(many, ABC);
    const seen = new Set<string>();
    let from = 200 * UNIT;
    let pages = 0;
    while (from < 250 * UNIT) {
      const page = side('c').departures.fetchRange('d', from, 250 * UNIT, readableHash);
      for (const s of page.states) {
        expect(readableHash(s.key)).toBeGreaterThanOrEqual(from);
        expect(readableHash(s.key)).toBeLessThan(page.next);
        seen.add(s.key);
      }
      expect(page.next).toBeGreaterThan(from);
      from = page.next;
      pages++;
    }
    expect(pages).toBeGreaterThan(1);
    expect([...many, ...MOVING].filter((k) => !seen.has(k))).toEqual([]);
    await flush();
  });
});
