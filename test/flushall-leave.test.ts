import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GokvNode } from '../internal/node/index.js';
import { FaultLinks } from './helpers/fault-links.js';
import { keyLedBy, startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

let cluster: InProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('FLUSHALL while a member leaves', () => {
  it('also flushes the leaving member, so its keys come back neither by a pull nor by its hand-off', async () => {
    const links = new FaultLinks(7);
    cluster = await startCluster(2, { cluster: { replicas: 0 } }, { deps: (id) => ({ faults: links.forNode(id) }) });
    links.learn(cluster.nodes);
    const [stayer, leaver] = cluster.nodes as [GokvNode, GokvNode];
    const client = cluster.clients[0]!;
    const key = await keyLedBy(cluster, leaver, 'f');
    await client.run('SET', key, 'v');
    links.cutChannel(leaver.id, stayer.id, 'rebalance'); // its hand-off is held up until heal()
    const leaving = leaver.stop({ leave: true });
    await vi.waitFor(() => expect(stayer.members().find((m) => m.id === leaver.id)?.status).toBe('left'), { timeout: 10_000, interval: 5 });
    expect(await client.run('FLUSHALL')).toBe('OK');
    expect(await client.run('GET', key)).toBeNull(); // not pulled back from the leaver
    links.heal();
    await leaving;
    expect(await client.run('GET', key)).toBeNull(); // nor handed back
    expect(await client.run('DBSIZE')).toBe(0);
  }, 60_000);
});
