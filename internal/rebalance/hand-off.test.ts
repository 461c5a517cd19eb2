import { afterEach, describe, expect, it } from 'vitest';
import { readableHash } from '../store/testing/fixtures.js';
import { raiseDeadline } from './hand-off-calls.js';
import { settingsOf } from './options.js';
import { flush, keysBetween, spreadRingOf, TEST_OPTIONS, TestCluster } from './testing/fixtures.js';

// Spread ring (units of 2^22): a 100, b 200, d 250, c 300. With [a,b,c], c leads (200, 300];
// when d joins it takes (200, 250] from c. chunkKeys is 4, so 12 keys make 3 chunks.
const abc = spreadRingOf('a', 'b', 'c');
const abcd = spreadRingOf('a', 'b', 'c', 'd');
const moving = keysBetween(200, 250, 12, 'm');
const staying = [...keysBetween(0, 100, 4, 'a'), ...keysBetween(100, 200, 4, 'b'), ...keysBetween(250, 300, 4, 'c')];

let cluster: TestCluster;
afterEach(() => cluster.stopAll());

function joinCluster(replicas: number): TestCluster {
  cluster = new TestCluster(['a', 'b', 'c', 'd'], abc, { ...TEST_OPTIONS, replicas });
  cluster.placeAll([...moving, ...staying], abc);
  return cluster;
}

/** Resolves the returned promise's `release` to let held calls through. */
function gate(): { wait: Promise<void>; release: () => void } {
  let release = (): void => {};
  const wait = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { wait, release };
}

describe('a join', () => {
  it.each([0, 1, 2])('moves exactly the joiner\'s keys (replicas %i)', async (replicas) => {
    joinCluster(replicas);
    const n = replicas + 1;
    const before = new Map([...cluster.nodes.keys()].map((id) => [id, new Set(cluster.node(id).store.scan(0, 2 ** 32, 1e6).keys)]));
    cluster.changeRing(abcd);
    await cluster.settle();
    const all = [...moving, ...staying];
    const misplaced = all.filter((k) => cluster.holders(k).sort().join() !== abcd.owners(readableHash(k), n).sort().join());
    expect(misplaced).toEqual([]);
    // Nobody but the joiner gained a key; the joiner applied one state per copy it needed.
    for (const id of ['a', 'b', 'c']) {
      const now = cluster.node(id).store.scan(0, 2 ** 32, 1e6).keys;
      expect(now.filter((k) => !before.get(id)!.has(k))).toEqual([]);
    }
    const ideal = all.filter((k) => abcd.owners(readableHash(k), n).includes('d')).length;
    expect(cluster.node('d').store.size).toBe(ideal);
    expect(cluster.network.appliedTo('d')).toBe(ideal);
  });

  it('keeps a newer write the joiner already took over the older handed-off copy', async () => {
    joinCluster(0);
    const key = moving[0]!;
    const newer = cluster.put(key, ['d'], 'written on the new leader', 5_000);
    cluster.changeRing(abcd);
    await cluster.settle();
    expect(cluster.node('d').store.exportKey(key)).toMatchObject({ value: ['f', 'written on the new leader'] });
    expect(cluster.node('d').store.versionOf(key)).toBe(newer);
    expect(cluster.holders(key)).toEqual(['d']);
  });
});

describe('deletions', () => {
  // d holds an old copy of a key of the arc it gains (it was cut off or down while the key was
  // deleted); the arc's old owners have only the tombstone. No write will fix d's copy. With
  // replicas 1, c sends and a, leaving the list, confirms as a dropper.
  it.each([0, 1])('reach a joiner holding an older copy of a deleted key (replicas %i)', async (replicas) => {
    joinCluster(replicas);
    const key = moving[0]!;
    const holders = cluster.holders(key);
    const version = cluster.node(holders[0]!).store.versionOf(key);
    cluster.put(key, ['d'], 'old copy', version);
    for (const id of holders) cluster.node(id).store.delete(key, version + 1);
    cluster.changeRing(abcd);
    await cluster.settle();
    expect(cluster.holders(key)).toEqual([]);
    expect(cluster.node('d').store.exportKey(key)).toEqual({ deleted: true, version: version + 1 });
  });
});

describe('a node holding only tombstones of an arc', () => {
  it('still hands them off: it is not a node that held nothing', async () => {
    // c led a key that was deleted (a tombstone is all c holds); d, cut off meanwhile, keeps the
    // old copy and gains the arc. Taken for an empty node, c sent nothing and d kept it for good.
    const key = moving[0]!;
    cluster = new TestCluster(['a', 'b', 'c', 'd'], abc, TEST_OPTIONS);
    const version = cluster.put(key, ['c', 'd'], 'old copy');
    cluster.node('c').store.delete(key, version + 1);
    expect(cluster.node('c').store.size).toBe(0);
    cluster.changeRing(abcd);
    await cluster.settle();
    expect(cluster.holders(key)).toEqual([]);
    expect(cluster.node('d').store.exportKey(key)).toEqual({ deleted: true, version: version + 1 });
  });
});

describe('a dropper', () => {
  it('leaves the keys the target expects from the sender to the sender: one copy each', async () => {
    // replicas 1: (200, 250] had [c, a] and gets [d, c]; c sends, a confirms and drops. d says
    // it expects that arc from c until c reports it handed off.
    joinCluster(1);
    const d = cluster.node('d');
    let fromC = true;
    cluster.network.add('d', {
      receiveBatch: (states) => d.rebalancer.receiveBatch(states),
      receiveConfirm: (digests, from) => {
        const { missing } = d.rebalancer.receiveConfirm(digests);
        return { missing, arriving: fromC && from !== 'c' ? missing : [] };
      },
    });
    // Hold c's batches until a has asked d about the arc at least once.
    const held = gate();
    cluster.network.beforeDeliver = async (call) => {
      if (call.from === 'c' && call.kind === 'send') await held.wait;
      if (call.from === 'a' && call.kind === 'confirm') held.release();
    };
    cluster.changeRing(abcd);
    await cluster.settle();
    expect(moving.filter((k) => cluster.holders(k).sort().join() !== 'c,d')).toEqual([]);
    const pushedByA = cluster.network.delivered.filter((c) => c.from === 'a' && c.kind === 'send').flatMap((c) => c.keys);
    expect(pushedByA).toEqual([]);
    expect(cluster.network.statesDeliveredTo('d')).toBe(cluster.node('d').store.size);
    fromC = false;
  });

  it('cuts its confirm messages by bytes: long keys do not all fit one message', async () => {
    // Keys may be as long as limits.max_value_bytes: a chunk of their digests in one confirm
    // could exceed a message, and the hand-off would retry it for ever.
    const long = keysBetween(200, 250, 8, `L${'x'.repeat(900)}`);
    cluster = new TestCluster(['a', 'b', 'c', 'd'], abc, { ...TEST_OPTIONS, replicas: 1, batchBytes: 2048 });
    cluster.placeAll([...long, ...staying], abc);
    cluster.changeRing(abcd);
    await cluster.settle();
    expect(long.filter((k) => cluster.holders(k).sort().join() !== 'c,d')).toEqual([]);
    const confirms = cluster.network.delivered.filter((c) => c.from === 'a' && c.kind === 'confirm');
    expect(confirms.length).toBeGreaterThanOrEqual(4);
    for (const c of confirms) expect(c.keys.reduce((n, k) => n + k.length, 0)).toBeLessThanOrEqual(2048);
  });

  // Found with FLUSHALL during a join: every copy was deleted where it lay, each at a version of
  // its own, so the sender's deletion could be older than the dropper's; the target kept
  // answering "arriving" until the sender's run reported the arc done, and every node's run
  // waited on another's (the hand-offs stalled until the pull window, and the joiner served
  // keys FLUSHALL had answered OK for).
  it('pushes its deletions even while the target expects the arc from the sender', async () => {
    joinCluster(1);
    const d = cluster.node('d');
    cluster.network.add('d', {
      receiveBatch: (states) => d.rebalancer.receiveBatch(states),
      receiveConfirm: (digests, from) => {
        const { missing } = d.rebalancer.receiveConfirm(digests);
        return { missing, arriving: from !== 'c' ? missing : [] };
      },
    });
    cluster.network.beforeDeliver = (call) => (call.from === 'c' && call.kind === 'send' ? new Promise<void>(() => undefined) : undefined);
    for (const key of moving) cluster.node('a').store.delete(key);
    cluster.changeRing(abcd);
    await cluster.settle(() => moving.every((k) => d.store.versionOf(k) !== 0));
    const pushedByA = cluster.network.delivered.filter((c) => c.from === 'a' && c.kind === 'send').flatMap((c) => c.keys);
    expect([...new Set(pushedByA)].sort()).toEqual([...moving].sort());
    expect(moving.filter((k) => d.store.peek(k) !== undefined)).toEqual([]);
  });

  it('pushes what the target no longer expects from anyone else', async () => {
    joinCluster(1);
    cluster.network.beforeDeliver = (call) => {
      if (call.from === 'c' && call.kind === 'send') throw new Error('UNAVAILABLE c cannot send');
    };
    cluster.changeRing(abcd, ['a', 'b', 'd']); // c never learns of the change: it sends nothing
    await cluster.settle(() => moving.every((k) => cluster.node('d').store.peek(k) !== undefined));
    expect(cluster.network.delivered.some((c) => c.from === 'a' && c.kind === 'send')).toBe(true);
  });
});

/** d joins; c's first moving key is written again each time a batch carrying it goes out. */
async function handOffKeyWrittenThroughout(): Promise<string> {
  joinCluster(0);
  const key = moving[0]!;
  cluster.network.beforeDeliver = (call) => {
    if (call.kind === 'send' && call.keys.includes(key)) cluster.put(key, ['c'], 'hot');
  };
  cluster.changeRing(abcd);
  await cluster.settle();
  return key;
}

describe('the sender', () => {
  it('forgets a key only after the receiver acknowledged it', async () => {
    joinCluster(0);
    const held = gate();
    cluster.network.beforeDeliver = (call) => (call.kind === 'send' ? held.wait : undefined);
    cluster.changeRing(abcd);
    await cluster.settle(() => cluster.network.calls.length > 0);
    for (let i = 0; i < 5; i++) await flush(); // let everything that can run, run
    expect(moving.filter((k) => cluster.holders(k).join() !== 'c')).toEqual([]);
    held.release();
    await cluster.settle();
    expect(moving.filter((k) => cluster.holders(k).join() !== 'd')).toEqual([]);
    expect(cluster.node('c').rebalancer.progress()).toMatchObject({ keysSent: 12, keysDropped: 12, running: false });
  });

  it('does not drop a key written during its hand-off, and sends the newer state', async () => {
    joinCluster(0);
    const key = moving[0]!;
    let written = 0;
    cluster.network.beforeDeliver = (call) => {
      if (call.kind === 'send' && call.keys.includes(key) && written === 0) {
        written = cluster.put(key, ['c'], 'written during the hand-off');
      }
    };
    cluster.changeRing(abcd);
    await cluster.settle();
    expect(cluster.node('d').store.versionOf(key)).toBe(written);
    expect(cluster.node('d').store.exportKey(key)).toMatchObject({ value: ['f', 'written during the hand-off'] });
    expect(cluster.holders(key)).toEqual(['d']); // forgotten once the newer state was acknowledged
  });

  it('keeps a key that changes throughout its hand-off instead of dropping it', async () => {
    const key = await handOffKeyWrittenThroughout();
    expect(cluster.holders(key).sort()).toEqual(['c', 'd']);
    expect(cluster.node('c').rebalancer.progress().keysKept).toBe(1);
    expect(moving.filter((k) => k !== key && cluster.holders(k).join() !== 'd')).toEqual([]);
  });

  it('does not report an arc handed off while it keeps a key of it newer than the target holds', async () => {
    // The target stops pulling the arc once told it is done: a key kept here because it kept
    // changing would then read as missing (or stale) on its new leader.
    const key = await handOffKeyWrittenThroughout();
    expect(cluster.node('c').rebalancer.progress().keysKept).toBe(1);
    const position = readableHash(key);
    const told = cluster.network.delivered.filter((c) => c.kind === 'done' && c.from === 'c' && c.to === 'd').flatMap((c) => c.arcs ?? []);
    expect(told.filter((a) => a.from <= position && position <= a.to)).toEqual([]);
  });

  it('forgets a key only when every target acknowledged the version it holds, not the first alone', async () => {
    // d and f join together: (200, 250] goes from [c, a] to [d, f], so c sends to both. f's
    // walk takes the key at one version, then the key is written on c, then d's walk takes the
    // newer one: d alone acknowledged what c holds now, f still has the older copy.
    const key = keysBetween(200, 250, 12, 'm')[8]!; // in a later chunk than the held first one
    cluster = new TestCluster(['a', 'b', 'c', 'd', 'f'], abc, { ...TEST_OPTIONS, replicas: 1 });
    cluster.placeAll(moving, abc);
    const held = gate();
    let newer = 0;
    cluster.network.beforeDeliver = async (call) => {
      if (call.kind !== 'send' || call.from !== 'c') return;
      if (call.to === 'd' && newer === 0) await held.wait;
      if (call.to === 'f' && call.keys.includes(key) && newer === 0) {
        newer = cluster.put(key, ['c'], 'newer', cluster.node('c').store.versionOf(key) + 1);
        held.release();
      }
    };
    const next = spreadRingOf('a', 'b', 'c', 'd', 'f');
    cluster.changeRing(next);
    await cluster.settle();
    expect(newer).toBeGreaterThan(0);
    for (const id of next.owners(readableHash(key), 2)) expect(cluster.node(id).store.versionOf(key)).toBe(newer);
  });

  it('retries a failed batch with backoff', async () => {
    joinCluster(0);
    let failures = 2;
    cluster.network.beforeDeliver = (call) => {
      if (call.kind === 'send' && failures > 0) {
        failures--;
        throw new Error('UNAVAILABLE connection reset');
      }
    };
    cluster.changeRing(abcd);
    await cluster.settle();
    expect(cluster.node('c').rebalancer.progress().batchesFailed).toBe(2);
    expect(moving.filter((k) => cluster.holders(k).join() !== 'd')).toEqual([]);
  });

  it('leaves no tombstone that would block the key coming back', async () => {
    joinCluster(0);
    const key = moving[0]!;
    const version = cluster.node('c').store.versionOf(key);
    cluster.changeRing(abcd);
    await cluster.settle();
    const c = cluster.node('c').store;
    expect(c.tombstone(key)).toBeUndefined();
    expect(c.versionOf(key)).toBe(0);
    // d leaves again: its copy (the same version) must be accepted back on c.
    cluster.changeRing(abc);
    await cluster.settle();
    expect(c.versionOf(key)).toBe(version);
    expect(moving.filter((k) => cluster.holders(k).join() !== 'c')).toEqual([]);
  });
});

describe('a crash of the sender mid-way', () => {
  it('loses nothing: the dropping replica\'s copy still reaches the new owner', async () => {
    // replicas 1: (200, 250] had [c, a]; after the join [d, c]. c sends, a drops.
    joinCluster(1);
    let batches = 0;
    cluster.network.beforeDeliver = (call) => {
      if (call.from === 'c' && call.kind === 'send' && ++batches === 2) {
        cluster.network.down('c'); // this batch and everything after it fail
        cluster.node('c').rebalancer.stop();
      }
    };
    cluster.changeRing(abcd);
    // a pushes what d lacks; it forgets only what both d and c confirmed, so from the crash on
    // it keeps its copies (c never answers again).
    await cluster.settle(() => moving.every((k) => cluster.node('d').store.peek(k) !== undefined));
    const keptByA = moving.filter((k) => cluster.node('a').store.peek(k) !== undefined);
    expect(keptByA.length).toBeGreaterThan(0);
    // c is declared dead: the ring drops it and the survivors replan.
    const abd = spreadRingOf('a', 'b', 'd');
    cluster.changeRing(abd, ['a', 'b', 'd']);
    await cluster.settle(() => ['a', 'b', 'd'].every((id) => !cluster.node(id).rebalancer.progress().running) && cluster.clock.pendingTimers() === 0);
    const lost = [...moving, ...staying].filter((k) => {
      const owners = abd.owners(readableHash(k), 2);
      return !owners.every((id) => cluster.node(id).store.peek(k) !== undefined);
    });
    expect(lost).toEqual([]);
  });
});

describe('raiseDeadline', () => {
  it('doubles a peer\'s deadline up to 8 x ackTimeoutMs, and never lowers it', () => {
    const ctx = { ackDeadlines: new Map<string, number>(), settings: settingsOf({ ...TEST_OPTIONS, ackTimeoutMs: 1_000 }) };
    raiseDeadline(ctx, 'd', 1_000);
    expect(ctx.ackDeadlines.get('d')).toBe(2_000);
    raiseDeadline(ctx, 'd', 4_000);
    raiseDeadline(ctx, 'd', 8_000);
    expect(ctx.ackDeadlines.get('d')).toBe(8_000);
    // A call begun at the first deadline that times out only now.
    raiseDeadline(ctx, 'd', 1_000);
    expect(ctx.ackDeadlines.get('d')).toBe(8_000);
    expect(ctx.ackDeadlines.get('c')).toBeUndefined();
  });
});
