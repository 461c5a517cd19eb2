import { describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../clock/index.js';
import { testConfig } from '../config/index.js';
import { silentLogger } from '../log/index.js';
import type { RebalanceSink } from '../rebalance/index.js';
import { createHasher, Ring } from '../ring/index.js';
import { FIELDS_PER_TURN, Store } from '../store/index.js';
import { createHandOff } from './hand-off-wiring.js';

// A node that has begun its graceful leave takes no more hand-offs: a key merged after its own
// walk passed the key's arc would stay behind when it exits. The sender retries, then hands the
// key to the ring without it (executor.test.ts, "plans again without a member that left").

const unused = (): never => {
  throw new Error('no hand-off call expected');
};

/** The sink the node under test calls; a test swaps in the calls it expects. */
const sinkOf: { current: RebalanceSink } = { current: { send: unused, relay: unused, confirm: unused, done: unused, fetch: unused, scan: unused, fetchRange: unused } };

async function setup(overrides: Parameters<typeof testConfig>[0] = {}) {
  const clock = new ManualClock();
  const hasher = await createHasher();
  const store = new Store({ clock, random: new SeededRandom(1), hashKey: hasher.keyPosition });
  const config = testConfig(overrides);
  const ring = Ring.fromMembers(['a', 'b'], config.cluster.vNodeCount, hasher.textPosition);
  sinkOf.current = { send: unused, relay: unused, confirm: unused, done: unused, fetch: unused, scan: unused, fetchRange: unused };
  const sink: RebalanceSink = {
    send: (...a) => sinkOf.current.send(...a),
    relay: (...a) => sinkOf.current.relay(...a),
    confirm: (...a) => sinkOf.current.confirm(...a),
    done: (...a) => sinkOf.current.done(...a),
    fetch: (...a) => sinkOf.current.fetch(...a),
    scan: (...a) => sinkOf.current.scan(...a),
    fetchRange: (...a) => sinkOf.current.fetchRange(...a),
  };
  const handOff = createHandOff({ selfId: 'a', store, clock, log: silentLogger(), hasher, sink, gossiper: undefined, ring: () => ring }, config);
  const state = (key: string) => ({ key, type: 'hash', value: ['f', 'v'], expireAtMs: 0, version: 5, deleted: false });
  return { store, handOff, state, clock, hasher, ring, config };
}

describe('hand-off wiring: a leaving node', () => {
  it('refuses hand-offs from the start of its leave, and merges nothing', async () => {
    const { store, handOff, state } = await setup();
    // Before: answered (the key is missing here). Nothing is merged, so the leave has nothing to hand.
    expect((await handOff.internal.rebalance('b', { states: [], confirm: [{ key: 'k1', version: 5 }], done: [], relayed: false })).missing).toEqual(['k1']);
    expect(await handOff.leave()).toBe(true);
    await expect(handOff.internal.rebalance('b', { states: [state('k2')], confirm: [], done: [], relayed: false })).rejects.toThrow(/is leaving/);
    expect(store.exportKey('k2')).toBeUndefined();
    handOff.stop();
  });

  it('does not acknowledge a hand-off whose large key it was still building when its leave began', async () => {
    // Built over several turns (mergeStatesInTurns), the key is merged after the leave looked at
    // the store (empty: nothing to hand). Acknowledged, its sender would have dropped its copy.
    const { handOff } = await setup();
    const value: string[] = [];
    for (let i = 0; i < 3 * FIELDS_PER_TURN; i++) value.push(`f${i}`, 'v');
    const big = { key: 'big', type: 'hash', value, expireAtMs: 0, version: 5, deleted: false };
    const received = handOff.internal.rebalance('b', { states: [big], confirm: [], done: [], relayed: false });
    expect(await handOff.leave()).toBe(true);
    await expect(received).rejects.toThrow(/began leaving during this hand-off/);
    handOff.stop();
  });

  it('hands over its tombstones even when it holds no live key (found by rebalance/interleavings.test.ts)', async () => {
    // A deletion made here must reach the key's next owner: a copy still held there (a sender
    // whose ack was late, a member back from a partition) would otherwise come back.
    const { store, handOff } = await setup();
    store.mergeKey('k1', { deleted: true, version: 7 });
    expect(store.size).toBe(0);
    const sent: unknown[] = [];
    sinkOf.current = {
      ...sinkOf.current,
      confirm: async (_to, digests) => ({ missing: digests.map((d) => d.key), arriving: [] }),
      send: async (_to, states) => {
        sent.push(...states);
        return { applied: states.length };
      },
      done: async () => undefined,
    };
    expect(await handOff.leave()).toBe(true);
    expect(sent).toEqual([{ key: 'k1', type: '', value: [], expireAtMs: 0, version: 7, deleted: true }]);
    handOff.stop();
  });
});

describe('hand-off wiring: stray keys', () => {
  it('hands a replicated key it does not own in its ring to its owner, then drops it (create-node.ts applyReplication)', async () => {
    // replicas 0 in [a, b]: a key b leads, written here by a leader with another view of the ring.
    const { store, handOff, clock, hasher, ring } = await setup({ cluster: { replicas: 0 } });
    let key = 'k0';
    for (let i = 1; ring.owners(hasher.keyPosition(key), 1)[0] !== 'b'; i++) key = `k${i}`;
    store.mergeKey(key, { type: 'hash', value: ['f', 'v'], expireAtMs: 0, version: 9 });
    const pushed: string[] = [];
    sinkOf.current = {
      ...sinkOf.current,
      confirm: async (_to, digests) => ({ missing: digests.map((d) => d.key), arriving: [] }),
      send: async (to, states) => {
        pushed.push(...states.map((s) => `${to}:${s.key}@${s.version}`));
        return { applied: states.length };
      },
      done: async () => undefined,
    };
    handOff.merged([key]);
    for (let i = 0; i < 50 && store.peek(key) !== undefined; i++) {
      clock.advance(50);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(pushed).toEqual([`b:${key}@9`]);
    expect(store.peek(key)).toBeUndefined();
    handOff.stop();
  });

  it('notes nothing for a key it owns', async () => {
    const { store, handOff, clock, hasher, ring } = await setup({ cluster: { replicas: 0 } });
    let key = 'k0';
    for (let i = 1; ring.owners(hasher.keyPosition(key), 1)[0] !== 'a'; i++) key = `k${i}`;
    store.mergeKey(key, { type: 'hash', value: ['f', 'v'], expireAtMs: 0, version: 9 });
    handOff.merged([key]); // the sink's calls all throw: any hand-off would fail the run
    clock.advance(1_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(handOff.progress()).toMatchObject({ running: false, batchesFailed: 0 });
    expect(store.peek(key)).toBeDefined();
    handOff.stop();
  });
});

describe('hand-off wiring: ScanRange over a range still arriving here', () => {
  it('lists its previous owner\'s keys there with its own, and does not ask the asker back', async () => {
    // replicas 0 in [a, b]: a, having been alone, is still to receive its arcs from b.
    const { store, handOff, hasher, ring, config } = await setup({ cluster: { replicas: 0 } });
    handOff.onRingChange(Ring.fromMembers(['a'], config.cluster.vNodeCount, hasher.textPosition), ring);
    const ownedByA = (from: number) => {
      for (let i = from; ; i++) if (ring.owners(hasher.keyPosition(`k${i}`), 1)[0] === 'a') return `k${i}`;
    };
    const mine = ownedByA(0);
    const theirs = ownedByA(Number(mine.slice(1)) + 1);
    store.mergeKey(mine, { type: 'hash', value: ['f', 'v'], expireAtMs: 0, version: 1 });
    const asked: string[] = [];
    sinkOf.current = {
      ...sinkOf.current,
      scan: async (member, from, to) => {
        asked.push(member);
        const at = hasher.keyPosition(theirs);
        return { keys: from <= at && at < to ? [theirs] : [], next: to };
      },
    };
    const page = await handOff.internal.scanRange(0, 2 ** 32, [], 'c', 0);
    expect([...page.keys].sort()).toEqual([mine, theirs].sort());
    expect(page.next).toBe(2 ** 32);
    expect(new Set(asked)).toEqual(new Set(['b']));
    asked.length = 0;
    expect((await handOff.internal.scanRange(0, 2 ** 32, [], 'b', 0)).keys).toEqual([mine]); // b is not asked back
    expect(asked).toEqual([]);
    handOff.stop();
  });
});

describe('hand-off wiring: FetchRange', () => {
  it('answers what it holds in the range, tombstones included, and names the members it still receives it from', async () => {
    // replicas 0 in [a, b]: a, having been alone, is still to receive its arcs from b.
    const { store, handOff, hasher, ring, config } = await setup({ cluster: { replicas: 0 } });
    handOff.onRingChange(Ring.fromMembers(['a'], config.cluster.vNodeCount, hasher.textPosition), ring);
    store.mergeKey('live', { type: 'hash', value: ['f', 'v'], expireAtMs: 0, version: 3 });
    store.mergeKey('gone', { deleted: true, version: 4 });
    const page = handOff.internal.fetchRange('c', 'd', 0, 2 ** 32);
    expect(page.next).toBe(2 ** 32);
    expect(page.states.map((s) => [s.key, s.version, s.deleted]).sort()).toEqual([
      ['gone', 4, true],
      ['live', 3, false],
    ]);
    expect(page.stillFrom).toEqual(['b']);
    expect(handOff.internal.fetchRange('b', 'd', 0, 2 ** 32).stillFrom).toEqual([]); // not the asker
    handOff.stop();
  });
});
