import { afterEach, describe, expect, it } from 'vitest';
import { FaultLinks } from './helpers/fault-links.js';
import { startCluster, waitForConvergence, type InProcessCluster } from './helpers/in-process-cluster.js';
import { compareReplicas, storeSource } from './helpers/replicas.js';
import { TIMINGS, waitUntilOut } from './faults/in-process-scenarios.js';

// With minority_writes: accept, both sides of a partition write the same keys; on healing each
// key converges to the copy with the higher version (the later write, by the writer's clock),
// on replicas + 1 nodes, whichever side wrote it. The other side's writes to that key are lost:
// the documented loss window of accept mode (docs/consistency.md).

let cluster: InProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('conflicting writes across a partition (minority_writes: accept)', () => {
  it('resolve by version on every copy after healing', async () => {
    const links = new FaultLinks();
    cluster = await startCluster(3, { ...TIMINGS, cluster: { replicas: 1, minorityWrites: 'accept' } }, { deps: (id) => ({ faults: links.forNode(id) }) });
    const c = cluster;
    links.learn(c.nodes);
    const [a, b, minority] = c.nodes as [typeof c.nodes[0], typeof c.nodes[0], typeof c.nodes[0]];
    const [ca, , cm] = c.clients as [typeof c.clients[0], typeof c.clients[0], typeof c.clients[0]];
    await ca.run('HSET', 'conflict:1', 'f', 'before');
    await ca.run('HSET', 'conflict:2', 'f', 'before');
    await ca.run('RPUSH', 'conflict:list', 'before');

    links.partition([minority.id], [a.id, b.id]);
    await waitUntilOut([a, b], [minority.id]);
    await waitUntilOut([minority], [a.id, b.id]);
    // conflict:1 - the minority writes first, the majority later: the majority's copy wins.
    await cm.run('HSET', 'conflict:1', 'f', 'minority');
    await cm.run('RPUSH', 'conflict:list', 'minority');
    await new Promise((r) => setTimeout(r, 20)); // distinct wall-clock versions, not a wait for a condition
    await ca.run('HSET', 'conflict:1', 'f', 'majority');
    await ca.run('RPUSH', 'conflict:list', 'majority');
    // conflict:2 - the majority first, the minority later: the minority's copy wins.
    await ca.run('HSET', 'conflict:2', 'f', 'majority');
    await new Promise((r) => setTimeout(r, 20));
    await cm.run('HSET', 'conflict:2', 'f', 'minority');

    links.heal();
    await waitForConvergence(c.nodes, 3, 30_000);
    const keys = ['conflict:1', 'conflict:2', 'conflict:list'];
    const sources = c.nodes.map(storeSource);
    await expect
      .poll(async () => compareReplicas(sources, keys, 2), { timeout: 20_000, interval: 100 })
      .toMatchObject({ wrongCopies: [], divergent: [] });
    for (const client of c.clients) {
      expect(String(((await client.run('HMGET', 'conflict:1', 'f')) as Buffer[])[0])).toBe('majority');
      expect(String(((await client.run('HMGET', 'conflict:2', 'f')) as Buffer[])[0])).toBe('minority');
      // A list is one value: the later side's whole copy wins, the other side's push is lost.
      expect(((await client.run('LRANGE', 'conflict:list', '0', '-1')) as Buffer[]).map(String)).toEqual(['before', 'majority']);
    }
  }, 90_000);

  // A node cut off with `accept` takes over the arcs whose owners it can no longer reach, and
  // with no copy to pull it starts their keys empty. Its later write gives that copy the higher
  // version, so on healing it wins whole: the key's history from before the partition is lost
  // too (docs/consistency.md, loss window 2). Found by partition-minority-accept.
  it('a key the minority never held: its copy started empty can win, history and all', async () => {
    const links = new FaultLinks();
    cluster = await startCluster(3, { ...TIMINGS, cluster: { replicas: 1, minorityWrites: 'accept' } }, { deps: (id) => ({ faults: links.forNode(id) }) });
    const c = cluster;
    links.learn(c.nodes);
    const [a, b, minority] = c.nodes as [typeof c.nodes[0], typeof c.nodes[0], typeof c.nodes[0]];
    const [ca, , cm] = c.clients as [typeof c.clients[0], typeof c.clients[0], typeof c.clients[0]];
    // replicas 1: two of the three nodes hold each key; find one the minority does not hold.
    let list = '';
    for (let i = 0; list === '' && i < 64; i++) {
      await ca.run('RPUSH', `blind:${i}`, 'before');
      if (minority.store.exportKey(`blind:${i}`) === undefined) list = `blind:${i}`;
    }
    expect(list).not.toBe('');

    links.partition([minority.id], [a.id, b.id]);
    await waitUntilOut([a, b], [minority.id]);
    await waitUntilOut([minority], [a.id, b.id]);
    await ca.run('RPUSH', list, 'majority');
    await new Promise((r) => setTimeout(r, 20)); // distinct wall-clock versions, not a wait for a condition
    await cm.run('RPUSH', list, 'minority'); // applied to an empty list: the minority has no copy
    expect(((await cm.run('LRANGE', list, '0', '-1')) as Buffer[]).map(String)).toEqual(['minority']);

    links.heal();
    await waitForConvergence(c.nodes, 3, 30_000);
    const sources = c.nodes.map(storeSource);
    await expect
      .poll(async () => compareReplicas(sources, [list], 2), { timeout: 20_000, interval: 100 })
      .toMatchObject({ wrongCopies: [], divergent: [] });
    for (const client of c.clients) {
      expect(((await client.run('LRANGE', list, '0', '-1')) as Buffer[]).map(String)).toEqual(['minority']);
    }
  }, 90_000);
});
