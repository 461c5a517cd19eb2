import { afterEach, describe, expect, it, vi } from 'vitest';
import { binFromText } from '../internal/store/index.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

// A leader's eviction reaches its replicas (as Redis sends its replicas a DEL): otherwise a
// DEL sent to the leader afterwards (a cache invalidation) finds nothing, replicates nothing,
// and the replica's old value is served again once it leads the key after a failover.

let cluster: InProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('evictions in a two-node cluster with replicas: 1', () => {
  it('leave no copy on the replica of a key its leader evicted', async () => {
    // node1 evicts (it leads about half the keys and replicates the rest); node2 has no limit,
    // so any copy it drops is dropped because a leader told it to.
    cluster = await startCluster(2, { cluster: { replicas: 1 } }, {
      perNode: (i) => (i === 0 ? { memory: { maxMemoryBytes: 64 * 1024, evictionPolicy: 'allkeys-lru' } } : {}),
    });
    const [node1, node2] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0]];
    const client = cluster.clients[1]!;
    const keys = Array.from({ length: 300 }, (_, i) => `ev:${i}`);
    for (const k of keys) await client.run('SET', k, 'x'.repeat(1000));
    expect(node1.store.counters.evictedKeys).toBeGreaterThan(0);
    const leaderOf = new Map<string, string>();
    const explained = await Promise.all(keys.map((k) => client.run('EXPLAIN', k) as Promise<Map<string, unknown>>));
    keys.forEach((k, i) => leaderOf.set(k, String(explained[i]!.get('leader'))));
    const byId = new Map(cluster.nodes.map((n) => [n.id, n]));
    const holds = (id: string, k: string) => byId.get(id)!.store.exportKey(binFromText(k)) !== undefined;
    const evictedOnLeader = keys.filter((k) => !holds(leaderOf.get(k)!, k));
    expect(evictedOnLeader.length).toBeGreaterThan(0);
    expect(evictedOnLeader.every((k) => leaderOf.get(k) === node1.id)).toBe(true);
    await vi.waitFor(() => {
      const stale = keys.filter((k) => !holds(leaderOf.get(k)!, k) && holds(node2.id, k));
      expect(stale).toEqual([]);
    }, { timeout: 10_000, interval: 20 });
    // The invalidation that finds nothing on the leader leaves nothing behind either.
    const gone = evictedOnLeader[0]!;
    expect(await client.run('DEL', gone)).toBe(0);
    expect(holds(node2.id, gone)).toBe(false);
  }, 120_000); // 600 sequential calls: about 5 s idle, near 30 s on a loaded 2-core machine
});
