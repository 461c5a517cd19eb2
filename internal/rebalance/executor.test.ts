import { afterEach, describe, expect, it } from 'vitest';
import { readableHash } from '../store/testing/fixtures.js';
import { Ring } from '../ring/index.js';
import { flush, keysBetween, spreadRingOf, TEST_OPTIONS, TestCluster, UNIT } from './testing/fixtures.js';

// Spread ring (units of 2^22): e 50, a 100, g 150, b 200, d 250, c 300 (see testing/fixtures.ts).
const abc = spreadRingOf('a', 'b', 'c');
const abcd = spreadRingOf('a', 'b', 'c', 'd');
const abcde = spreadRingOf('a', 'b', 'c', 'd', 'e');
const toD = keysBetween(200, 250, 12, 'd'); // c -> d on a join of d
const toE = [...keysBetween(300, 1000, 8, 'e'), ...keysBetween(0, 50, 4, 'e')]; // a -> e on a join of e

let cluster: TestCluster;
afterEach(() => cluster.stopAll());

function placed(ids: string[], ring: Ring, replicas = 0): TestCluster {
  cluster = new TestCluster(ids, ring, { ...TEST_OPTIONS, replicas });
  cluster.placeAll([...toD, ...toE], ring);
  return cluster;
}

/** Keys not held by exactly their owners in `ring`. */
function misplaced(ring: Ring, n = 1): string[] {
  return [...toD, ...toE].filter((k) => cluster.holders(k).sort().join() !== ring.owners(readableHash(k), n).sort().join());
}

const callsFrom = (id: string): number => cluster.network.calls.filter((c) => c.from === id).length;

describe('Rebalancer scheduling', () => {
  it('debounces a burst of ring changes into one plan to the newest ring', async () => {
    placed(['a', 'b', 'c', 'd', 'e'], abc);
    const t0 = cluster.clock.now();
    cluster.changeRing(abcd);
    cluster.clock.advance(60);
    cluster.changeRing(abcde);
    cluster.clock.advance(99);
    await flush();
    expect(cluster.network.calls).toEqual([]);
    cluster.clock.advance(1);
    await flush();
    expect(cluster.network.calls.length).toBeGreaterThan(0);
    await cluster.settle();
    expect(misplaced(abcde)).toEqual([]);
    expect(cluster.node('c').rebalancer.progress()).toMatchObject({ startedAtMs: t0 + 160, lastCompletedRingVersion: abcde.version });
  });

  it('hands off keys written under a ring that lasted less than the debounce (fault-suite regression)', async () => {
    // c drops out and comes back within one debounce; meanwhile a, leading toD's keys in
    // [a, b] alone, takes writes for new keys there. The ring is back to the base, but those
    // keys are placed by the short ring: they must still reach c, their owner.
    placed(['a', 'b', 'c'], abc);
    const ab = spreadRingOf('a', 'b');
    cluster.changeRing(ab);
    cluster.clock.advance(50);
    const written = keysBetween(200, 250, 4, 'w'); // owned by c in abc, by a in ab
    for (const key of written) cluster.put(key, ab.owners(readableHash(key), 1));
    cluster.changeRing(abc);
    await cluster.settle();
    expect(written.filter((k) => cluster.holders(k).join() !== abc.owners(readableHash(k), 1).join())).toEqual([]);
  });

  it('hands off keys written under a ring that came and went while a run was retrying (fault-suite regression)', async () => {
    // a's hand-off of (200, 250] to c (joining) retries while c is unreachable. Meanwhile the
    // ring drops c and brings it back between two retries, and a takes new writes there while
    // it leads them. The run then completes to the same ring; the new keys must follow.
    const ab = spreadRingOf('a', 'b');
    cluster = new TestCluster(['a', 'b', 'c'], ab, { ...TEST_OPTIONS, replicas: 0 });
    cluster.placeAll(toD, ab);
    cluster.network.down('c');
    cluster.changeRing(abc);
    cluster.clock.advance(100);
    for (let i = 0; i < 5; i++) await flush();
    expect(cluster.node('a').rebalancer.progress().running).toBe(true);
    cluster.changeRing(ab);
    const written = keysBetween(200, 250, 4, 'w');
    for (const key of written) cluster.put(key, ab.owners(readableHash(key), 1));
    cluster.changeRing(abc);
    cluster.network.up('c');
    await cluster.settle();
    const wrong = [...toD, ...written].filter((k) => cluster.holders(k).join() !== abc.owners(readableHash(k), 1).join());
    expect(wrong).toEqual([]);
  });

  it('stops at the next chunk when the ring changes and replans to the newest ring', async () => {
    placed(['a', 'b', 'c', 'd', 'e'], abc);
    let callsAtChange = -1;
    cluster.network.beforeDeliver = (call) => {
      if (callsAtChange < 0 && call.from === 'c') {
        callsAtChange = callsFrom('c');
        cluster.changeRing(abcde);
      }
    };
    cluster.changeRing(abcd);
    cluster.clock.advance(100);
    for (let i = 0; i < 5; i++) await flush();
    // 12 keys in chunks of 4: without the stop, c would have sent two more batches by now.
    expect(callsFrom('c')).toBe(callsAtChange);
    expect(cluster.node('c').rebalancer.progress().running).toBe(false);
    await cluster.settle();
    expect(misplaced(abcde)).toEqual([]);
    for (const id of ['a', 'c']) {
      expect(cluster.node(id).rebalancer.progress().lastCompletedRingVersion).toBe(abcde.version);
    }
  });

  it('hands on keys an abandoned hand-off brought here', async () => {
    // Two vnodes each. b leaves while d joins: c sends (200, 250] to d and receives b's arc
    // (700, 800]. Before c finishes, g joins at 750 and takes (700, 750] from c. Planning only
    // from the last completed ring (where b, not c, held that arc) would strand those keys on c.
    const table: Record<string, number> = {
      'a#0': 100, 'a#1': 700, 'b#0': 200, 'b#1': 800, 'c#0': 300, 'c#1': 850,
      'd#0': 250, 'd#1': 1000, 'g#0': 750, 'g#1': 1020,
    };
    const ring = (...ids: string[]): Ring => Ring.fromMembers(ids, 2, (name) => table[name]! * UNIT);
    const [r0, r1, r2] = [ring('a', 'b', 'c'), ring('a', 'c', 'd'), ring('a', 'c', 'd', 'g')];
    const fromB = keysBetween(700, 750, 4, 'b');
    cluster = new TestCluster(['a', 'b', 'c', 'd', 'g'], r0);
    cluster.placeAll([...fromB, ...toD], r0);
    let changed = false;
    cluster.network.beforeDeliver = async (call) => {
      if (changed || call.from !== 'c') return;
      changed = true;
      await cluster.node('b').rebalancer.idle(); // b has pushed its arc to c
      cluster.changeRing(r2);
    };
    cluster.changeRing(r1);
    await cluster.settle();
    expect(changed).toBe(true);
    expect(fromB.filter((k) => cluster.holders(k).join() !== 'g')).toEqual([]);
    expect(toD.filter((k) => cluster.holders(k).join() !== 'd')).toEqual([]);
  });

  it('reports progress for status and metrics', async () => {
    placed(['a', 'b', 'c', 'd'], abc);
    expect(cluster.node('c').rebalancer.progress()).toEqual({
      running: false,
      arcsPending: 0,
      keysPlanned: 0,
      keysDone: 0,
      keysSent: 0,
      bytesSent: 0,
      keysDropped: 0,
      batchesFailed: 0,
      keysKept: 0,
      startedAtMs: 0,
      lastCompletedRingVersion: undefined,
    });
    cluster.changeRing(abcd);
    await cluster.settle();
    const p = cluster.node('c').rebalancer.progress();
    expect(p).toMatchObject({
      running: false,
      arcsPending: 0,
      keysPlanned: 12,
      keysDone: 12,
      keysSent: 12,
      keysDropped: 12,
      lastCompletedRingVersion: abcd.version,
    });
    expect(p.bytesSent).toBeGreaterThan(12 * 20);
  });
});

describe('a member restarted empty (a new incarnation is a leave plus a join)', () => {
  it('gets every key it owns again from the others, while the ring stays the same', async () => {
    placed(['a', 'b', 'c'], abc, 1);
    const before = [...toD, ...toE].filter((k) => cluster.holders(k).includes('c'));
    expect(before.length).toBeGreaterThan(0);
    cluster.addNode('c', abc); // the same id, an empty store
    cluster.node('a').rebalancer.memberRestarted(spreadRingOf('a', 'b'), 'c');
    cluster.node('b').rebalancer.memberRestarted(spreadRingOf('a', 'b'), 'c');
    await cluster.settle();
    expect(misplaced(abc, 2)).toEqual([]);
    expect(before.every((k) => cluster.holders(k).includes('c'))).toBe(true);
  });

  // Found by a review: two members crash-restarted 2.5 s apart (replicas 2, three nodes) and a
  // third to a half of the keys read as nil for good, though a live member held them all.
  it('hands a second restarted member its keys when it restarts while the first one\'s hand-off runs', async () => {
    placed(['a', 'b', 'c'], abc, 2); // every node holds every key
    const all = [...toD, ...toE];
    cluster.node('c').rebalancer.stop();
    cluster.addNode('c', abc); // c restarts empty
    for (const id of ['a', 'b']) cluster.node(id).rebalancer.memberRestarted(spreadRingOf('a', 'b'), 'c');
    let restarted = false;
    cluster.onYield = () => {
      if (restarted || !cluster.node('a').rebalancer.progress().running) return;
      restarted = true;
      cluster.node('b').rebalancer.stop();
      cluster.addNode('b', abc); // b restarts empty while a's hand-off to c runs
      for (const id of ['a', 'c']) cluster.node(id).rebalancer.memberRestarted(spreadRingOf('a', 'c'), 'b');
    };
    await cluster.settle();
    expect(restarted).toBe(true);
    expect(all.filter((k) => cluster.holders(k).length !== 3)).toEqual([]);
  });

  it('hands a restarted member every key, from every old owner, when the arc\'s sender restarts before it sent', async () => {
    placed(['a', 'b', 'c'], abc, 2);
    const all = [...toD, ...toE];
    cluster.node('c').rebalancer.stop();
    cluster.addNode('c', abc); // c restarts empty; b is the first sender of some of its arcs
    for (const id of ['a', 'b']) cluster.node(id).rebalancer.memberRestarted(spreadRingOf('a', 'b'), 'c');
    cluster.node('b').rebalancer.stop();
    cluster.addNode('b', abc); // b restarts empty before its run started: its share never went
    for (const id of ['a', 'c']) cluster.node(id).rebalancer.memberRestarted(spreadRingOf('a', 'c'), 'b');
    await cluster.settle();
    expect(all.filter((k) => cluster.holders(k).length !== 3)).toEqual([]);
  });

  it('tells the restarted member each arc is handed off, so it stops pulling', async () => {
    placed(['a', 'b', 'c'], abc, 1);
    cluster.addNode('c', abc);
    cluster.node('a').rebalancer.memberRestarted(spreadRingOf('a', 'b'), 'c');
    cluster.node('b').rebalancer.memberRestarted(spreadRingOf('a', 'b'), 'c');
    await cluster.settle();
    const done = cluster.network.delivered.filter((c) => c.kind === 'done' && c.to === 'c');
    const covered = done.flatMap((c) => c.arcs ?? []).reduce((n, a) => n + (a.to - a.from), 0);
    expect(covered).toBeGreaterThanOrEqual(abc.ownedRanges('c').reduce((n, [from, to]) => n + (to - from), 0));
  });
});

describe('stray keys (merged here, owned elsewhere in this node\'s ring)', () => {
  it('hands a stray copy to its owners and drops it here, after the debounce', async () => {
    cluster = new TestCluster(['a', 'b', 'c'], abc, { ...TEST_OPTIONS, replicas: 1 });
    const [key] = keysBetween(200, 250, 1, 's'); // [c, a] in abc: b owns none of it
    cluster.put(key!, ['b']);
    cluster.node('b').rebalancer.noteStrays([readableHash(key!)]);
    cluster.clock.advance(99);
    await flush();
    expect(cluster.network.calls).toEqual([]);
    await cluster.settle();
    expect(cluster.holders(key!).sort()).toEqual(['a', 'c']);
  });

  it('keeps a stray whose owner holds a newer copy from being pushed over it, and drops it', async () => {
    cluster = new TestCluster(['a', 'b', 'c'], abc);
    const [key] = keysBetween(200, 250, 1, 's'); // c's in abc
    const old = cluster.put(key!, ['b'], 'old');
    cluster.put(key!, ['c'], 'new', old + 1);
    cluster.node('b').rebalancer.noteStrays([readableHash(key!)]);
    await cluster.settle();
    expect(cluster.holders(key!)).toEqual(['c']);
    expect(cluster.node('c').store.exportKey(key!)).toMatchObject({ version: old + 1, value: ['f', 'new'] });
  });

  it('plans a stray again against the newer ring when its run is abandoned', async () => {
    // a holds a stray of c's (abc). Its run starts; d joins before the run is done: the stray is
    // now d's, and the run planned after the change must still cover it (not only the rings'
    // difference, in which a has no part).
    cluster = new TestCluster(['a', 'b', 'c', 'd'], abc);
    const [key] = keysBetween(200, 250, 1, 's'); // c's in abc, d's in abcd
    cluster.put(key!, ['a']);
    let changed = false;
    cluster.network.beforeDeliver = () => {
      if (changed) return;
      changed = true;
      cluster.changeRing(abcd);
    };
    cluster.node('a').rebalancer.noteStrays([readableHash(key!)]);
    await cluster.settle();
    expect(changed).toBe(true);
    expect(cluster.holders(key!)).toEqual(['d']);
  });
});

describe('Rebalancer stop and timeouts', () => {
  it('stop() abandons a running hand-off, clears its timers and is idempotent', async () => {
    placed(['a', 'b', 'c', 'd'], abc);
    cluster.network.beforeDeliver = () => new Promise<void>(() => {}); // never answered
    cluster.changeRing(abcd);
    await cluster.settle(() => cluster.network.calls.length > 0);
    const c = cluster.node('c').rebalancer;
    expect(c.progress().running).toBe(true);
    c.stop();
    await c.idle();
    c.stop();
    expect(c.progress().running).toBe(false);
    expect(cluster.clock.pendingTimers()).toBe(0);
    expect(toD.filter((k) => cluster.holders(k).join() !== 'c')).toEqual([]); // nothing acknowledged, nothing dropped
    c.onRingChange(abcd, abc);
    expect(cluster.clock.pendingTimers()).toBe(0);
  });

  it('counts an unanswered batch as failed after ackTimeoutMs and retries it', async () => {
    placed(['a', 'b', 'c', 'd'], abc);
    let first = true;
    cluster.network.beforeDeliver = (call) => {
      if (!first || call.kind !== 'send') return undefined;
      first = false;
      return new Promise<void>(() => {});
    };
    cluster.changeRing(abcd);
    await cluster.settle(undefined, 250);
    expect(cluster.node('c').rebalancer.progress().batchesFailed).toBe(1);
    expect(misplaced(abcd)).toEqual([]);
  });
  it('completes to a receiver slower than ackTimeoutMs, sending each key a bounded number of times', async () => {
    // d merges every call, but answers 1.5 x ackTimeoutMs later (alive, slow): each attempt
    // used to time out, so the same batch went again and again, the late copies merged each
    // time, and the run never completed (c kept every key, d waited on pulls).
    placed(['a', 'b', 'c', 'd'], abc);
    cluster.network.beforeDeliver = (call) =>
      call.to === 'd' ? new Promise<void>((resolve) => cluster.clock.setTimeout(resolve, 1_500)) : undefined;
    cluster.changeRing(abcd);
    for (let i = 0; i < 600; i++) {
      await flush();
      cluster.clock.advance(100); // 60 s of the manual clock, whatever the run does
    }
    expect(misplaced(abcd)).toEqual([]);
    expect(cluster.node('c').rebalancer.progress()).toMatchObject({ running: false, lastCompletedRingVersion: abcd.version });
    // Each key sent at most three times: two attempts that timed out, one answered in time.
    expect(cluster.network.statesDeliveredTo('d')).toBeLessThanOrEqual(3 * toD.length);
  });

  it('gives a batch of one large key a longer deadline: sent once to a receiver that merges it in 2.5 x ackTimeoutMs', async () => {
    // A 12 MB key gets 3 s more than ackTimeoutMs (1 s). At 1 s, then 2 s, it timed out twice
    // and went three times, each copy costing the receiver the whole merge again.
    placed(['a', 'b', 'c', 'd'], abc);
    const big = toD[0]!;
    const value = 'x'.repeat(4 << 20);
    cluster.node('c').store.mergeKey(big, { type: 'hash', value: ['f1', value, 'f2', value, 'f3', value], expireAtMs: 0, version: 2 ** 40 });
    cluster.network.beforeDeliver = (call) =>
      call.to === 'd' && call.keys.includes(big) ? new Promise<void>((resolve) => cluster.clock.setTimeout(resolve, 2_500)) : undefined;
    cluster.changeRing(abcd);
    for (let i = 0; i < 600 && cluster.node('c').rebalancer.progress().lastCompletedRingVersion !== abcd.version; i++) {
      await flush();
      cluster.clock.advance(100);
    }
    expect(misplaced(abcd)).toEqual([]);
    expect(cluster.node('d').store.peek(big)?.version).toBe(2 ** 40);
    expect(cluster.node('c').rebalancer.progress().batchesFailed).toBe(0);
    expect(cluster.network.delivered.filter((c) => c.kind === 'send' && c.keys.includes(big))).toHaveLength(1);
  });

  it('keeps a slow receiver\'s raised deadline for the rest of the run: one call times out, not one per batch', async () => {
    // toD goes in three batches of chunkKeys, then a `done`, each answered 1.5 x ackTimeoutMs
    // late. When every call started again from ackTimeoutMs, each timed out once and its
    // batch went twice (4 failed calls, 24 states for 12 keys).
    placed(['a', 'b', 'c', 'd'], abc);
    cluster.network.beforeDeliver = (call) =>
      call.to === 'd' ? new Promise<void>((resolve) => cluster.clock.setTimeout(resolve, 1_500)) : undefined;
    cluster.changeRing(abcd);
    for (let i = 0; i < 600 && cluster.node('c').rebalancer.progress().lastCompletedRingVersion !== abcd.version; i++) {
      await flush();
      cluster.clock.advance(100);
    }
    expect(misplaced(abcd)).toEqual([]);
    expect(cluster.node('c').rebalancer.progress().batchesFailed).toBe(1);
    expect(cluster.network.statesDeliveredTo('d')).toBe(toD.length + TEST_OPTIONS.chunkKeys!);
  });
});

describe('graceful leave (handOffAll)', () => {
  it('hands every key to its owners without the leaver, then holds nothing', async () => {
    placed(['a', 'b', 'c'], abc, 1);
    const ac = spreadRingOf('a', 'c');
    const done = cluster.node('b').rebalancer.handOffAll(() => ac);
    let result: boolean | undefined;
    void done.then((ok) => (result = ok));
    await cluster.settle(() => result !== undefined);
    expect(result).toBe(true);
    expect(cluster.node('b').store.size).toBe(0);
    expect(misplaced(ac, 2)).toEqual([]);
  });

  it('gives up after its timeout, keeping what was not confirmed', async () => {
    placed(['a', 'b', 'c'], abc, 1);
    cluster.network.down('c');
    const bHeld = cluster.node('b').store.size;
    let result: boolean | undefined;
    void cluster.node('b').rebalancer.handOffAll(() => spreadRingOf('a', 'c'), 1_000).then((ok) => (result = ok));
    await cluster.settle(() => result !== undefined, 50);
    expect(result).toBe(false);
    expect(cluster.node('b').store.size).toBe(bHeld);
    expect(cluster.clock.pendingTimers()).toBe(0);
  });

  it('plans again without a member that left meanwhile, instead of waiting on it (two leaves at once)', async () => {
    placed(['a', 'b', 'c', 'd'], abcd, 1);
    const held = [...toD, ...toE].filter((k) => cluster.holders(k).includes('b'));
    const t0 = cluster.clock.now();
    cluster.network.down('d'); // d left too, and exited
    let leaveTo = spreadRingOf('a', 'c', 'd');
    let result: boolean | undefined;
    void cluster.node('b').rebalancer.handOffAll(() => leaveTo, 30_000).then((ok) => (result = ok));
    await cluster.settle(() => cluster.node('b').rebalancer.progress().batchesFailed > 0, 50);
    expect(result).toBeUndefined(); // retrying d
    leaveTo = spreadRingOf('a', 'c');
    cluster.changeRing(spreadRingOf('a', 'c'), ['b']); // b hears that d left
    await cluster.settle(() => result !== undefined, 50);
    expect(result).toBe(true);
    expect(cluster.node('b').store.size).toBe(0);
    const ac = spreadRingOf('a', 'c');
    expect(held.filter((k) => !ac.owners(readableHash(k), 2).every((id) => cluster.holders(k).includes(id)))).toEqual([]);
    expect(held.length).toBeGreaterThan(0);
    expect(cluster.clock.now() - t0).toBeLessThan(30_000); // well before the timeout
  });
});
