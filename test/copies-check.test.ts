import { describe, expect, it } from 'vitest';
import { createHasher, Ring } from '../internal/ring/index.js';
import { makeStore, putHash } from '../internal/store/testing/fixtures.js';
import { compareCopies } from './helpers/copies.js';

// The fault suite's copies check (test/faults/copies-scenario.ts) judged on hand-made stores:
// it must see a divergent copy and a copy left behind, and must not count an expired copy or a
// tombstone against a missing one.

const VNODES = 16;

async function setup() {
  const nodes = ['a', 'b', 'c'].map((id) => ({ id, ...makeStore() }));
  const hasher = await createHasher();
  const ring = Ring.fromMembers(['a', 'b', 'c'], VNODES, hasher.textPosition);
  const key = 'k';
  const [leader, replica, other] = ring.owners(hasher.keyPosition(key), 3).map((id) => nodes.find((n) => n.id === id)!);
  const compare = () => compareCopies(nodes, [key], { replicas: 1, vNodeCount: VNODES, nowMs: leader!.clock.now() });
  return { leader: leader!, replica: replica!, other: other!, key, compare };
}

describe('compareCopies', () => {
  it('passes equal copies (hash fields in any order)', async () => {
    const { leader, replica, key, compare } = await setup();
    putHash(leader.store, key, { f: '1', g: '2' }, 10);
    putHash(replica.store, key, { g: '2', f: '1' }, 10);
    expect(await compare()).toMatchObject({ live: 1, divergent: [], missingOnReplica: [], leftBehind: [] });
  });

  it.each([
    ['value', { f: '2' }, 10],
    ['version', { f: '1' }, 11],
  ])('reports copies that differ in %s', async (_, pairs, version) => {
    const { leader, replica, key, compare } = await setup();
    putHash(leader.store, key, { f: '1' }, 10);
    putHash(replica.store, key, pairs, version);
    expect((await compare()).divergent).toHaveLength(1);
  });

  it('reports a copy the leader lacks as divergent', async () => {
    const { replica, key, compare } = await setup();
    putHash(replica.store, key, { f: '1' }, 10);
    expect((await compare()).divergent).toHaveLength(1);
  });

  it('reports a copy missing on a replica, and one left on a node that does not own the key', async () => {
    const { leader, other, key, compare } = await setup();
    putHash(leader.store, key, { f: '1' }, 10);
    putHash(other.store, key, { f: '1' }, 10);
    const report = await compare();
    expect(report.missingOnReplica).toHaveLength(1);
    expect(report.leftBehind).toEqual([expect.stringContaining(`on ${other.id}`)]);
  });

  it('reads a tombstone and an expired copy as missing', async () => {
    const { leader, replica, key, compare } = await setup();
    putHash(leader.store, key, { f: '1' }, 10);
    leader.store.delete(key, 11);
    const e = replica.store.hashForWrite(key);
    e.value.set('f', '1');
    replica.store.setExpireAt(e, replica.clock.now() + 100);
    replica.store.commit(e, 10);
    leader.clock.advance(200);
    replica.clock.advance(200);
    expect(await compare()).toMatchObject({ live: 0, divergent: [], leftBehind: [] });
  });
});
