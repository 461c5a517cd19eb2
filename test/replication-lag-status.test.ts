import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GokvNode } from '../internal/node/index.js';
import { FaultLinks } from './helpers/fault-links.js';
import { keyLedBy, startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

// A review: a node whose replicas had not acknowledged 35k writes looked healthy everywhere but
// in the metrics. Healthcheck (and so `gokv-cli status`) now carries the answering node's
// backlog per replica.
let cluster: InProcessCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('the Healthcheck of a leader whose replica does not acknowledge', () => {
  it('carries the backlog per replica, and 0 once the replica caught up', async () => {
    const links = new FaultLinks(3);
    cluster = await startCluster(2, { cluster: { replicas: 1 }, messaging: { messageTimeoutMs: 300 } }, { deps: (id) => ({ faults: links.forNode(id) }) });
    links.learn(cluster.nodes);
    const [leader, replica] = cluster.nodes as [GokvNode, GokvNode];
    const client = cluster.clients[0]!;
    const key = await keyLedBy(cluster, leader, 'lag');
    await client.run('HSET', key, 'f', '0');
    links.cutChannel(leader.id, replica.id, 'replicate');
    const writes = [1, 2, 3].map((i) => client.runOnce('HSET', key, 'f', String(i)).catch((err: unknown) => err));
    const lagOf = async () => (await client.health()).peers.find((p) => p.nodeId === leader.id)?.replicationLagOps ?? {};
    await vi.waitFor(async () => expect(Number((await lagOf())[replica.id])).toBeGreaterThan(0), { timeout: 10_000 });
    links.heal();
    await Promise.all(writes);
    await vi.waitFor(async () => expect(await lagOf()).toEqual({ [replica.id]: '0' }), { timeout: 10_000 });
  }, 30_000);
});
