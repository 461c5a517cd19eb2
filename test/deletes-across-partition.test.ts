import { afterEach, describe, expect, it } from 'vitest';
import type { GokvNode } from '../internal/node/index.js';
import type { TestClient } from './helpers/client.js';
import { FaultLinks } from './helpers/fault-links.js';
import { startCluster, waitForConvergence, type InProcessCluster } from './helpers/in-process-cluster.js';
import { compareReplicas, storeSource } from './helpers/replicas.js';
import { TIMINGS, waitUntilOut } from './faults/in-process-scenarios.js';

// A node cut off while a key it holds is deleted or expires on the other side comes back with
// its old copy. The hand-offs of healing must carry the deletion to it: otherwise that copy
// stays, and should it lead the key one day (its leader fails), the deleted key is back.

let cluster: InProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** The first key `${prefix}${i}` that `write` creates and `node` holds a copy of. */
async function keyHeldBy(node: GokvNode, prefix: string, write: (key: string) => Promise<unknown>): Promise<string> {
  for (let i = 0; i < 64; i++) {
    const key = `${prefix}${i}`;
    await write(key);
    if (node.store.exportKey(key) !== undefined) return key;
  }
  throw new Error(`no key ${prefix}* is held by ${node.id}`);
}

describe('deletes while a replica is cut off', () => {
  it('reach the replica when it comes back: no node keeps a deleted or expired key', async () => {
    const links = new FaultLinks();
    cluster = await startCluster(3, { ...TIMINGS, cluster: { replicas: 1 } }, { deps: (id) => ({ faults: links.forNode(id) }) });
    const c = cluster;
    links.learn(c.nodes);
    const [a, b, cut] = c.nodes as [GokvNode, GokvNode, GokvNode];
    const ca = c.clients[0] as TestClient;
    await expect.poll(() => c.nodes.map((n) => n.members()[0]!.handOff?.arcsArriving), { timeout: 30_000 }).toEqual([0, 0, 0]);
    const hset = (key: string) => ca.run('HSET', key, 'f', 'v');
    for (let i = 0; i < 20; i++) await hset(`kept:${i}`); // keys that stay: no store is empty
    const deleted = await keyHeldBy(cut, 'deleted:', hset);
    const expired = await keyHeldBy(cut, 'expired:', hset);

    links.partition([cut.id], [a.id, b.id]);
    await waitUntilOut([a, b], [cut.id]);
    await waitUntilOut([cut], [a.id, b.id]);
    expect(await ca.run('DEL', deleted)).toBe(1);
    expect(await ca.run('PEXPIRE', expired, '1')).toBe(1);
    await expect.poll(() => ca.run('EXISTS', expired)).toBe(0); // once the 1 ms TTL passed, the leader collects it: a tombstone only
    expect(cut.store.exportKey(deleted)?.deleted).not.toBe(true); // the cut-off copy is still live

    links.heal();
    await waitForConvergence(c.nodes, 3, 30_000);
    const keys = [deleted, expired];
    const live = () => c.nodes.flatMap((n) => keys.filter((k) => n.store.peek(k) !== undefined).map((k) => `${k} on ${n.id}`));
    await expect.poll(live, { timeout: 20_000, interval: 100 }).toEqual([]);
    expect(await compareReplicas(c.nodes.map(storeSource), keys, 2)).toMatchObject({ wrongCopies: [], divergent: [] });
  }, 90_000);
});
