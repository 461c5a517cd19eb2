import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../internal/log/index.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

// Found by an operator-mistake review: a node started with `replicas: 0` among nodes with
// `replicas: 1` acknowledged writes no other node held (lost when it crashed), and one with
// another `v_node_count` led keys the others did not send it; nothing said so. Nodes now send
// their cluster settings with each heartbeat (gRPC metadata) and warn of a peer whose differ.

let cluster: InProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('nodes with other cluster settings', () => {
  it('warn of each other over real heartbeats, naming the settings that differ', async () => {
    const logs = new Map<string, string[]>();
    const deps = (id: string) => {
      const out = new PassThrough();
      const lines: string[] = [];
      logs.set(id, lines);
      out.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
      return { log: createLogger({ level: 'warn', destination: out }) };
    };
    cluster = await startCluster(2, { cluster: { replicas: 1 } }, { deps, perNode: (i) => (i === 1 ? { cluster: { replicas: 0 }, replication: { mode: 'async' } } : {}) });
    const mismatch = (id: string) => logs.get(id)!.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => String(l.msg).startsWith('a peer runs other cluster settings'));
    await vi.waitFor(() => {
      expect(mismatch('node1')).toHaveLength(1);
      expect(mismatch('node2')).toHaveLength(1);
    }, { timeout: 10_000, interval: 50 });
    expect(mismatch('node1')[0]).toMatchObject({ peer: 'node2', differences: ['cluster.replicas: 0 there, 1 here', 'replication.mode: async there, sync here'] });
    expect(mismatch('node2')[0]).toMatchObject({ peer: 'node1', differences: ['cluster.replicas: 1 there, 0 here', 'replication.mode: sync there, async here'] });
  });

  it('say nothing when the settings agree', async () => {
    const warned: string[] = [];
    const deps = () => {
      const out = new PassThrough();
      out.on('data', (chunk: Buffer) => warned.push(chunk.toString('utf8')));
      return { log: createLogger({ level: 'warn', destination: out }) };
    };
    cluster = await startCluster(2, { cluster: { replicas: 1 } }, { deps });
    await cluster.clients[0]!.run('HSET', 'k', 'f', 'v');
    expect(warned.join('')).not.toContain('other cluster settings');
  });
});
