// The dashboard's data on a real three-node cluster, without a browser: per-member figures over the
// NodeStats RPC, EXPLAIN over gRPC, REST and gokv-cli, and a dead member shown without figures.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../internal/cli/index.js';
import { captureIo } from '../internal/cli/testing/capture-io.js';
import { createHasher, Ring } from '../internal/ring/index.js';
import { text } from './helpers/client.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

const VNODES = 64;
const TIMINGS = { heartbeatIntervalMs: 100, suspectAfterMs: 1_000, deadAfterMs: 2_000 };

interface ClusterJson {
  node: { id: string };
  members: Array<{ id: string; status: string; figures: null | { keys: number; tombstoneBytes: number; opsPerSec: number; p99LatencyMs: number | null; uptimeMs: number } }>;
}

let cluster: InProcessCluster;
const hasher = await createHasher();

/** The preference list of `key` computed here, independently of any node. */
const owners = (ids: string[], key: string) => Ring.fromMembers(ids, VNODES, hasher.textPosition).owners(hasher.keyPosition(key), 2);

const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

beforeAll(async () => {
  cluster = await startCluster(3, { cluster: { vNodeCount: VNODES, replicas: 1 }, messaging: TIMINGS });
  for (let i = 0; i < 30; i++) await cluster.clients[i % 3]!.run('HSET', `user:${i}`, 'name', `n${i}`);
  for (let i = 0; i < 6; i++) {
    await cluster.clients[0]!.run('HSET', `gone:${i}`, 'f', 'v');
    await cluster.clients[0]!.run('DEL', `gone:${i}`); // leaves tombstones, shown with the memory
  }
});

afterAll(() => cluster.stop());

describe('the dashboard API on a three-node cluster', () => {
  it("shows every member's own figures, asked over NodeStats", async () => {
    const rest = `http://${cluster.nodes[0]!.addresses.rest}`;
    await vi.waitFor(async () => {
      const body = await getJson<ClusterJson>(`${rest}/v1/cluster`);
      for (const node of cluster.nodes) {
        const member = body.members.find((m) => m.id === node.id);
        expect(member?.figures?.keys).toBe(node.store.size);
        expect(member?.figures?.tombstoneBytes).toBe(node.store.tombstoneBytes);
        expect(member?.figures?.opsPerSec).toBeGreaterThan(0);
        expect(member?.figures?.p99LatencyMs).toBeGreaterThan(0);
        expect(member?.figures?.uptimeMs).toBeGreaterThan(0);
      }
      // Figures are cached for 1 s: a stale first answer needs longer than vitest's 1 s default.
    }, { timeout: 10_000, interval: 100 });
    expect(cluster.nodes.reduce((sum, n) => sum + n.store.size, 0)).toBe(60); // 30 keys, 2 copies each
    expect(cluster.nodes.reduce((sum, n) => sum + n.store.tombstoneCount, 0)).toBe(12); // 6 deletes, 2 copies
  });

  it('explains a key over gRPC, REST and gokv-cli, with the owners the ring gives it', async () => {
    const key = 'user:7';
    const [leader, replica] = owners(['node1', 'node2', 'node3'], key);
    const reply = (await cluster.clients[2]!.run('EXPLAIN', key)) as Map<string, unknown>;
    expect(text(reply.get('leader') as string)).toBe(leader);
    expect(reply.get('replicas')).toEqual([replica]);
    expect([reply.get('type'), reply.get('ttlMs'), reply.get('node')]).toEqual(['hash', -1, 'node3']);
    expect(reply.get('holdsCopy')).toBe(cluster.nodes[2]!.store.peek(key) === undefined ? 0 : 1);

    const viaRest = await getJson<Record<string, unknown>>(`http://${cluster.nodes[1]!.addresses.rest}/v1/explain?key=${key}`);
    expect(viaRest).toMatchObject({ key, leader, replicas: [replica], type: 'hash', node: 'node2' });
    expect(JSON.stringify(viaRest)).not.toContain('n7'); // the value never shows

    const io = captureIo();
    expect(await runCli(['--uri', cluster.nodes[0]!.addresses.grpc!, 'explain', key], io)).toBe(0);
    expect(io.out()).toMatch(new RegExp(`^leader +${leader} \\(alive\\)$`, 'm'));
    expect(io.out()).toMatch(/^type +hash$/m);
  });

  it('counts EXPLAIN under its own name in the metrics', async () => {
    await cluster.clients[0]!.run('EXPLAIN', 'user:1');
    const metrics = await (await fetch(`http://${cluster.nodes[0]!.addresses.rest}/metrics`)).text();
    expect(metrics).toMatch(/gokv_commands_total\{command="EXPLAIN",outcome="ok"\} [1-9]/);
  });

  it('shows a member that died as dead, without figures, and keeps the others', async () => {
    const rest = `http://${cluster.nodes[0]!.addresses.rest}`;
    await cluster.nodes[2]!.stop({ leave: false });
    await vi.waitFor(
      async () => {
        const body = await getJson<ClusterJson>(`${rest}/v1/cluster`);
        expect(body.members.find((m) => m.id === 'node3')).toMatchObject({ status: 'dead', figures: null });
        expect(body.members.filter((m) => m.figures !== null).map((m) => m.id).sort()).toEqual(['node1', 'node2']);
      },
      { timeout: 10 * TIMINGS.deadAfterMs, interval: 100 },
    );
    const after = await getJson<Record<string, unknown>>(`${rest}/v1/explain?key=user:7`);
    expect(after).toMatchObject({ leader: owners(['node1', 'node2'], 'user:7')[0] });
  });
});
