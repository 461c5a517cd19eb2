import { afterEach, describe, expect, it } from 'vitest';
import { readableHash } from '../store/testing/fixtures.js';
import type { HandOffState } from './sink.js';
import { receiveHandOff, strayPositions } from './strays.js';
import { keysBetween, spreadRingOf, TEST_OPTIONS, TestCluster } from './testing/fixtures.js';
import { toWire } from './states.js';
import { FIELDS_PER_TURN } from '../store/index.js';

// Spread ring (units of 2^22): a 100, b 200, d 250, c 300. Each node's ring is its own
// (TestNode.ring): a receiver may see a ring its sender does not.
const abc = spreadRingOf('a', 'b', 'c');
const [cKey] = keysBetween(200, 250, 1, 'c'); // c's in abc (replicas 0), d's once d joins
const [bKey] = keysBetween(100, 200, 1, 'b'); // b's in abc

let cluster: TestCluster;
afterEach(() => cluster.stopAll());

/** Nodes whose receivers are receiveHandOff, as hand-off-wiring.ts wires them; noted strays per node. */
function wired(ids: string[], replicas = 0): { noted: Map<string, number[]> } {
  cluster = new TestCluster(ids, abc, { ...TEST_OPTIONS, replicas });
  const noted = new Map<string, number[]>();
  for (const id of ids) {
    const deps = cluster.strayDeps(id, (positions) => noted.set(id, [...(noted.get(id) ?? []), ...positions]));
    cluster.network.add(id, {
      receiveBatch: (states, from, relayed) => receiveHandOff(deps, { replicas, relayTimeoutMs: 1_000 }, from, states, relayed),
      receiveConfirm: () => ({ missing: [], arriving: [] }),
    });
  }
  return { noted };
}

function stateOf(key: string, version = 7): HandOffState {
  return toWire(key, { type: 'hash', value: ['f', 'v'], expireAtMs: 0, version });
}

describe('receiveHandOff', () => {
  it('merges owned keys and passes nothing on', async () => {
    const { noted } = wired(['a', 'b', 'c']);
    await cluster.network.sinkFor('a').send('b', [stateOf(bKey!)]);
    expect(cluster.holders(bKey!)).toEqual(['b']);
    expect(cluster.network.calls.map((c) => `${c.from}>${c.to}`)).toEqual(['a>b']);
    expect(noted.size).toBe(0);
  });

  it('passes a key it does not own on to its owner before answering, and notes its copy as a stray', async () => {
    // a (which never heard of d's change, say) hands c's key to b. b passes it on to c.
    const { noted } = wired(['a', 'b', 'c']);
    let relayArrived = false;
    cluster.network.afterDeliver = (call) => {
      if (call.relayed) relayArrived = true;
    };
    const answered = cluster.network.sinkFor('a').send('b', [stateOf(cKey!)]).then(() => relayArrived);
    expect(await answered).toBe(true);
    expect(cluster.network.calls.map((c) => `${c.from}>${c.to}${c.relayed ? ' relayed' : ''}`)).toEqual(['a>b', 'b>c relayed']);
    expect(cluster.holders(cKey!).sort()).toEqual(['b', 'c']);
    expect(noted.get('b')).toEqual([readableHash(cKey!)]);
  });

  it('does not pass on a relayed batch again (only notes the stray)', async () => {
    // c's ring says d owns the key (c heard of d's join): a relay from b stops at c.
    const { noted } = wired(['a', 'b', 'c', 'd']);
    cluster.node('c').ring = spreadRingOf('a', 'b', 'c', 'd');
    await cluster.network.sinkFor('b').relay('c', [stateOf(cKey!)]);
    expect(cluster.network.calls.map((c) => `${c.from}>${c.to}`)).toEqual(['b>c']);
    expect(noted.get('c')).toEqual([readableHash(cKey!)]);
  });

  it('refuses (retryable) when only the sender owns the key in its ring, keeping the merged copy noted', async () => {
    const { noted } = wired(['a', 'b', 'c']);
    await expect(cluster.network.sinkFor('c').send('b', [stateOf(cKey!)])).rejects.toThrow(/UNAVAILABLE .*only c owning/);
    expect(cluster.holders(cKey!).sort()).toEqual(['b']);
    expect(noted.get('b')).toEqual([readableHash(cKey!)]);
  });

  it('refuses (retryable) when the owner cannot be reached, so the sender keeps its copy', async () => {
    wired(['a', 'b', 'c']);
    cluster.network.down('c');
    await expect(cluster.network.sinkFor('a').send('b', [stateOf(cKey!)])).rejects.toThrow(/UNAVAILABLE .*could not pass keys .* on to c/);
  });

  it('passes every owner but the sender a copy when there are replicas', async () => {
    // replicas 1: cKey's list is [c, a]. Handed to b by a, it goes to c alone.
    wired(['a', 'b', 'c'], 1);
    await cluster.network.sinkFor('a').send('b', [stateOf(cKey!)]);
    expect(cluster.network.calls.map((c) => `${c.from}>${c.to}`)).toEqual(['a>b', 'b>c']);
  });
});

describe('strayPositions', () => {
  it('lists the positions of keys not owned here; none while alone or out of the ring', () => {
    expect(strayPositions(abc, 'b', 0, [bKey!, cKey!], readableHash)).toEqual([readableHash(cKey!)]);
    expect(strayPositions(abc, 'b', 1, [bKey!, cKey!], readableHash)).toEqual([readableHash(cKey!)]);
    expect(strayPositions(spreadRingOf('b'), 'b', 0, [cKey!], readableHash)).toEqual([]);
    expect(strayPositions(abc, 'd', 0, [cKey!], readableHash)).toEqual([]);
  });

  it('hashes nothing where every list holds every member (the replication path of a small cluster)', () => {
    const unused = (): number => {
      throw new Error('hashed');
    };
    expect(strayPositions(abc, 'b', 2, [cKey!], unused)).toEqual([]);
    expect(() => strayPositions(abc, 'b', 1, [cKey!], unused)).toThrow('hashed');
  });
});

describe('receiveHandOff of a large hash', () => {
  const FIELDS = 3 * FIELDS_PER_TURN + 5;
  const bigState = (version: number): HandOffState => {
    const value: string[] = [];
    for (let i = 0; i < FIELDS; i++) value.push(`f${i}`, `v${i}`);
    return toWire(bKey!, { type: 'hash', value, expireAtMs: 0, version });
  };

  it('builds it over several turns, out of sight, then merges it whole', async () => {
    wired(['a', 'b', 'c']);
    const store = cluster.node('b').store;
    const seenWhileBuilding: unknown[] = [];
    cluster.onYield = () => seenWhileBuilding.push(store.peek(bKey!));
    await cluster.network.sinkFor('a').send('b', [bigState(9), stateOf(bKey! + 'x')]);
    expect(seenWhileBuilding).toEqual([undefined, undefined, undefined]); // a yield per part, nothing visible
    expect(store.exportKey(bKey!)).toEqual({ type: 'hash', value: bigState(9).value, expireAtMs: 0, version: 9 });
  });

  it('keeps a newer write made while it was being built', async () => {
    wired(['a', 'b', 'c']);
    const store = cluster.node('b').store;
    cluster.onYield = () => {
      cluster.onYield = undefined;
      store.mergeKey(bKey!, { type: 'hash', value: ['f', 'newer'], expireAtMs: 0, version: 10 });
    };
    await cluster.network.sinkFor('a').send('b', [bigState(9)]);
    expect(store.exportKey(bKey!)).toEqual({ type: 'hash', value: ['f', 'newer'], expireAtMs: 0, version: 10 });
  });

  it('replaces an older copy held here', async () => {
    wired(['a', 'b', 'c']);
    const store = cluster.node('b').store;
    store.mergeKey(bKey!, { type: 'list', value: ['old'], expireAtMs: 0, version: 3 });
    await cluster.network.sinkFor('a').send('b', [bigState(9)]);
    expect(store.exportKey(bKey!)).toMatchObject({ type: 'hash', version: 9 });
    expect(store.chargedBytes(bKey!)).toBeGreaterThan(FIELDS * 4);
  });
});
