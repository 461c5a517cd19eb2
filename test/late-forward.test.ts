import { afterEach, describe, expect, it } from 'vitest';
import { FaultLinks } from './helpers/fault-links.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { TIMINGS, waitUntilOut } from './faults/in-process-scenarios.js';

// A forwarded write stuck in TCP across a partition and delivered after it (found by the netns
// partition: a push answered UNCERTAIN landed after pushes acknowledged later). The entry node
// answered UNCERTAIN at once; when the bytes finally arrive, the leader must not apply them over
// a newer acknowledged write: it refuses commands from a sender it holds dead.

let cluster: InProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('a forwarded write delivered after a partition', () => {
  it('is refused when the leader holds its sender dead, and the newer write stays', async () => {
    const links = new FaultLinks();
    cluster = await startCluster(3, TIMINGS, { deps: (id) => ({ faults: links.forNode(id) }) });
    const c = cluster;
    links.learn(c.nodes);
    const [n1, n2, n3] = c.nodes as [typeof c.nodes[0], typeof c.nodes[0], typeof c.nodes[0]];
    const [c1, , c3] = c.clients as [typeof c.clients[0], typeof c.clients[0], typeof c.clients[0]];
    let key = '';
    for (let i = 0; key === ''; i++) {
      const explain = (await c1.run('EXPLAIN', `late:${i}`)) as Map<string, unknown>;
      if (String(explain.get('leader')) === n1.id) key = `late:${i}`;
    }
    await c1.run('HSET', key, 'f', 'v0');

    const hold = links.holdForwards(n3.id, n1.id);
    await expect(c3.run('HSET', key, 'f', 'stale')).rejects.toMatchObject({ code: 'UNCERTAIN' });
    expect(hold.held()).toBe(1);
    links.partition([n3.id], [n1.id, n2.id]);
    await waitUntilOut([n1, n2], [n3.id]);
    await c1.run('HSET', key, 'f', 'newer'); // acknowledged by the majority

    const [outcome] = await hold.release(); // the stuck bytes arrive
    expect(outcome).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/holds dead: refused/) });
    expect(String(((await c1.run('HMGET', key, 'f')) as Buffer[])[0])).toBe('newer');
  }, 60_000);
});
