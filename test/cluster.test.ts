import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../internal/cli/index.js';
import { binFromText } from '../internal/store/index.js';
import { text } from './helpers/client.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

let cluster: InProcessCluster;

beforeAll(async () => {
  cluster = await startCluster(3, { cluster: { replicas: 1 } });
});

afterAll(async () => {
  await cluster.stop();
});

/** How many nodes hold `key` in their store, and whether they agree on its version. */
function copiesOf(key: string) {
  const states = cluster.nodes.map((n) => n.store.exportKey(binFromText(key))).filter((s) => s && !s.deleted);
  return { count: states.length, versions: new Set(states.map((s) => s!.version)) };
}

describe('a three-node cluster', () => {
  it('lists every member as alive in Healthcheck, the answering node first', async () => {
    const health = await cluster.clients[1]!.health();
    expect(health.peers[0]!.nodeId).toBe('node2');
    expect(health.peers.map((p) => p.nodeId).sort()).toEqual(['node1', 'node2', 'node3']);
    expect(health.peers.every((p) => p.alive && p.status === 'alive')).toBe(true);
  });

  it('reads a key written through one node through each of the others', async () => {
    for (let i = 0; i < 30; i++) {
      const writer = cluster.clients[i % 3]!;
      expect(await writer.run('HSET', `user:${i}`, 'name', `n${i}`)).toBe(1);
    }
    for (let i = 0; i < 30; i++) {
      for (const reader of cluster.clients) {
        expect(text(await reader.run('HMGET', `user:${i}`, 'name').then((r) => (r as unknown[])[0] as Buffer))).toBe(`n${i}`);
      }
    }
  });

  it('keeps replicas + 1 copies at one version once a sync write is acknowledged', async () => {
    for (let i = 0; i < 20; i++) {
      await cluster.clients[0]!.run('RPUSH', `list:${i}`, 'a', 'b');
      await cluster.clients[1]!.run('LPOP', `list:${i}`);
      const copies = copiesOf(`list:${i}`);
      expect(copies.count).toBe(2);
      expect(copies.versions.size).toBe(1);
    }
  });

  it('replicates an absolute expiry', async () => {
    await cluster.clients[2]!.run('HSET', 'ttl:key', 'f', 'v');
    await cluster.clients[0]!.run('EXPIRE', 'ttl:key', '100');
    const expiries = cluster.nodes
      .map((n) => n.store.exportKey(binFromText('ttl:key')))
      .filter((s) => s && !s.deleted)
      .map((s) => (s as { expireAtMs: number }).expireAtMs);
    expect(expiries).toHaveLength(2);
    expect(expiries[0]).toBeGreaterThan(Date.now());
    expect(expiries[0]).toBe(expiries[1]);
  });

  it('answers a wrong-type command through a non-leader without touching membership', async () => {
    await cluster.clients[0]!.run('RPUSH', 'typed', 'x');
    const before = cluster.nodes.map((n) => n.members().map((m) => `${m.id}:${m.status}:${m.incarnation}`).join());
    for (const client of cluster.clients) {
      await expect(client.run('HSET', 'typed', 'f', 'v')).rejects.toMatchObject({ code: 'WRONGTYPE' });
      await expect(client.run('HSET', 'typed', 'f')).rejects.toMatchObject({ code: 'ERR' });
    }
    const after = cluster.nodes.map((n) => n.members().map((m) => `${m.id}:${m.status}:${m.incarnation}`).join());
    expect(after).toEqual(before);
  });

  it('applies one StreamCommand stream\'s commands on a key in the order sent, whichever node leads it', async () => {
    // A key per node's lead, written through node 1's stream: most are forwarded.
    const keys = Array.from({ length: 6 }, (_, i) => `order:${i}`);
    const requests = Array.from({ length: 600 }, (_, i) => {
      const key = keys[i % keys.length]!;
      return i % 5 === 4 ? { command: 'LPOP', key } : { command: 'RPUSH', key, args: [String(i)] };
    });
    const replies = await cluster.clients[1]!.stream(requests);
    // The errors themselves, if any: "expected false to be true" told a newcomer nothing.
    expect(replies.map((r, i) => (r.error === '' ? '' : `${i}: ${r.error}`)).filter((e) => e !== '')).toEqual([]);
    // Replay the same requests in order on a plain model of the lists.
    const model = new Map<string, string[]>(keys.map((k) => [k, []]));
    for (const r of requests) {
      const list = model.get(r.key)!;
      if (r.command === 'RPUSH') list.push(r.args![0]!);
      else list.shift();
    }
    for (const k of keys) {
      const got = ((await cluster.clients[0]!.run('LRANGE', k, '0', '-1')) as Buffer[]).map(String);
      expect(got, k).toEqual(model.get(k));
    }
    const leaders = await Promise.all(keys.map(async (k) => String(((await cluster.clients[1]!.run('EXPLAIN', k)) as Map<string, unknown>).get('leader'))));
    expect(leaders.filter((l) => l !== cluster.nodes[1]!.id).length).toBeGreaterThan(0);
  });

  it('sums DEL over keys owned by different nodes', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `del:${i}`);
    for (const k of keys) await cluster.clients[0]!.run('HSET', k, 'f', 'v');
    expect(await cluster.clients[1]!.run('DEL', keys[0], ...keys.slice(1), 'del:missing')).toBe(12);
    expect(await cluster.clients[2]!.run('EXISTS', keys[0], ...keys.slice(1))).toBe(0);
  });
});

describe('gokv-cli status against the cluster', () => {
  it('lists every member with its own key count and the ring version', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await runCli(['--uri', cluster.nodes[0]!.addresses.grpc!, '--json', 'status'], {
      env: {},
      stdout,
      stderr: new PassThrough(),
      isTTY: false,
    });
    expect(code).toBe(0);
    const status = JSON.parse(out) as { ringVersion: number; members: Array<{ id: string; keys: number }> };
    expect(status.ringVersion).toBe(cluster.nodes[0]!.ringVersion());
    const byId = Object.fromEntries(status.members.map((m) => [m.id, m.keys]));
    expect(byId).toEqual(Object.fromEntries(cluster.nodes.map((n) => [n.id, n.store.size])));
  });
});
