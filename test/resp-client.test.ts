import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../internal/config/index.js';
import { silentLogger } from '../internal/log/index.js';
import { startNode, type GokvNode } from '../internal/node/index.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { RawResp } from './helpers/raw-resp.js';
import { checkCommands } from './helpers/resp-suite.js';

/** An ioredis client on a node's RESP port; no retries, so a failure shows at once. */
function connect(address: string): Redis {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Redis({ host, port, maxRetriesPerRequest: 0, retryStrategy: () => null });
}

describe('ioredis against one node', () => {
  let node: GokvNode;
  let redis: Redis;

  beforeAll(async () => {
    node = await startNode(testConfig({ limits: { maxValueBytes: 1024 * 1024 } }), { log: silentLogger() });
    redis = connect(node.addresses.resp!);
  });

  afterAll(async () => {
    redis.disconnect();
    await node.stop();
  });

  it('passes ioredis\'s ready check (INFO) and runs every command with Redis reply types', async () => {
    expect(redis.status).toMatch(/connect|ready/);
    await checkCommands(redis, 'one:');
  });

  it('answers a 2,000-command pipeline in order, errors in place', async () => {
    const pipe = redis.pipeline();
    for (let i = 0; i < 500; i++) {
      pipe.set(`pipe:${i % 50}`, String(i));
      pipe.get(`pipe:${i % 50}`);
      pipe.incr(`pipe:n`);
      pipe.hset(`pipe:${i % 50}`, 'f', 'v'); // WRONGTYPE: the key holds a string
    }
    const results = (await pipe.exec())!;
    expect(results).toHaveLength(2000);
    for (let i = 0; i < 500; i++) {
      expect(results[i * 4]).toEqual([null, 'OK']);
      expect(results[i * 4 + 1]).toEqual([null, String(i)]);
      expect(results[i * 4 + 2]).toEqual([null, i + 1]);
      expect(String(results[i * 4 + 3]![0])).toContain('WRONGTYPE');
    }
  });

  it('answers connection commands as Redis does', async () => {
    expect(await redis.echo('hi')).toBe('hi');
    expect(await redis.call('PING', 'msg')).toBe('msg');
    expect(await redis.select(0)).toBe('OK');
    await expect(redis.select(1)).rejects.toThrow('ERR DB index is out of range');
    expect(await redis.client('SETNAME', 'tester')).toBe('OK');
    expect(await redis.client('GETNAME')).toBe('tester');
    const id = (await redis.client('ID')) as number;
    expect(id).toEqual(expect.any(Number));
    // CLIENT LIST's filters, answered as redis-server 7.0.15 answers them.
    expect(await redis.call('CLIENT', 'LIST', 'ID', String(id), '999999')).toMatch(new RegExp(`^id=${id} [^\n]*\n$`));
    expect(await redis.call('CLIENT', 'LIST', 'TYPE', 'NORMAL')).toMatch(new RegExp(`(^|\n)id=${id} `));
    expect(await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).toBe('');
    await expect(redis.call('CLIENT', 'LIST', 'TYPE', 'foo')).rejects.toThrow("ERR Unknown client type 'foo'");
    await expect(redis.call('CLIENT', 'LIST', 'ID', 'x')).rejects.toThrow('ERR Invalid client ID');
    await expect(redis.call('CLIENT', 'LIST', 'ID')).rejects.toThrow('ERR syntax error');
    await expect(redis.call('CLIENT', 'LIST', 'FOO')).rejects.toThrow('ERR syntax error');
    expect(await redis.client('INFO')).toMatch(/^id=\d+ addr=127\.0\.0\.1:\d+ .*name=tester /);
    // Every field of Redis 7.0's CLIENT INFO, in its order (redis-py parses some as integers).
    const fields = ((await redis.client('INFO')) as string).trim().split(' ').map((kv) => kv.slice(0, kv.indexOf('=')));
    expect(fields).toEqual(['id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'qbuf', 'qbuf-free',
      'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user', 'redir', 'resp']);
    // AUTH as on a Redis without passwords: the nopass default user accepts any password.
    expect(await redis.call('AUTH', 'default', 'anything')).toBe('OK');
    await expect(redis.call('AUTH', 'bob', 'x')).rejects.toThrow('WRONGPASS invalid username-password pair or user is disabled.');
    await expect(redis.call('AUTH', 'x')).rejects.toThrow('ERR AUTH <password> called without any password configured');
    await expect(redis.call('AUTH', 'a', 'b', 'c')).rejects.toThrow('ERR syntax error');
    const [seconds, micros] = (await redis.call('TIME')) as string[];
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(micros)).toBeLessThan(1_000_000);
    await expect(redis.client('SETNAME', 'a b')).rejects.toThrow('ERR Client names cannot contain spaces');
    expect(await redis.config('GET', 'maxmemory*')).toEqual(['maxmemory', '0', 'maxmemory-policy', 'allkeys-lru']);
    expect(await redis.config('GET', 'save', 'appendonly', 'databases')).toEqual(['save', '', 'appendonly', 'no', 'databases', '1']);
    expect(await redis.call('HELLO', '2')).toEqual(expect.arrayContaining(['proto', 2, 'mode', 'standalone', 'version', '7.0.0']));
    await expect(redis.call('HELLO', '4')).rejects.toThrow('NOPROTO unsupported protocol version');
    const count = (await redis.call('COMMAND', 'COUNT')) as number;
    expect(count).toBeGreaterThan(60);
    expect(((await redis.call('COMMAND')) as unknown[]).length).toBe(count);
    const [get] = (await redis.call('COMMAND', 'INFO', 'get')) as unknown[][];
    expect(get!.slice(0, 6)).toEqual(['get', 2, ['readonly'], 1, 1, 1]);
    const docs = (await redis.call('COMMAND', 'DOCS', 'set')) as unknown[];
    expect(docs[0]).toBe('set');
    expect(docs[1]).toEqual(expect.arrayContaining(['summary', 'group', 'string', 'arguments']));
  });

  it('reports INFO sections, DBSIZE and FLUSHALL', async () => {
    await redis.flushall();
    expect(await redis.dbsize()).toBe(0);
    await redis.mset('i1', 'a', 'i2', 'b');
    await redis.set('i3', 'c', 'EX', 100);
    expect(await redis.dbsize()).toBe(3);
    const info = await redis.info();
    for (const header of ['# Server', '# Clients', '# Memory', '# Stats', '# Keyspace']) expect(info).toContain(header);
    expect(info).toMatch(/\r\nredis_version:7\.\d+\.\d+\r\n/);
    expect(info).toMatch(/\r\nused_memory:\d+\r\n/);
    const keyspace = /^# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=(\d+)\r\n$/.exec(await redis.info('keyspace'));
    // The one TTL, 100 s, less the moments since it was set.
    expect(Number(keyspace?.[1])).toBeGreaterThan(90_000);
    expect(Number(keyspace?.[1])).toBeLessThanOrEqual(100_000);
    expect(await redis.flushall()).toBe('OK');
    expect(await redis.dbsize()).toBe(0);
    // The deletions are remembered (tombstones), and their bytes count in used_memory.
    const memory = Object.fromEntries(
      (await redis.info('memory')).split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':')),
    ) as Record<string, string>;
    expect(Number(memory.gokv_tombstones)).toBeGreaterThanOrEqual(3);
    expect(Number(memory.gokv_tombstone_memory)).toBeGreaterThan(0);
    expect(Number(memory.used_memory)).toBeGreaterThanOrEqual(Number(memory.gokv_tombstone_memory));
    expect(await redis.info('stats')).toMatch(/\r\ngokv_tombstones_pruned_early:0\r\n/);
  });

  it('refuses FLUSHALL and DBSIZE with an empty argument as Redis does, deleting nothing', async () => {
    await redis.set('kept', 'v');
    const raw = await RawResp.connect(Number(node.addresses.resp!.slice(node.addresses.resp!.lastIndexOf(':') + 1)));
    try {
      expect(await raw.call(['FLUSHALL', ''])).toBe('-ERR syntax error\r\n');
      expect(await raw.call(['FLUSHDB', ''])).toBe('-ERR syntax error\r\n');
      expect(await raw.call(['DBSIZE', ''])).toBe("-ERR wrong number of arguments for 'dbsize' command\r\n");
    } finally {
      raw.close();
    }
    expect(await redis.get('kept')).toBe('v');
  });

  it('walks every key with SCAN (ioredis scanStream)', async () => {
    const keys = Array.from({ length: 120 }, (_, i) => `scan:${i}`);
    await redis.mset(...keys.flatMap((k) => [k, 'v']));
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const stream = redis.scanStream({ match: 'scan:*', count: 25 });
      stream.on('data', (batch: string[]) => batch.forEach((k) => seen.add(k)));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    expect([...seen].sort()).toEqual([...keys].sort());
    const [cursor, page] = await redis.scan('0', 'COUNT', '1000', 'TYPE', 'string');
    expect(cursor).toBe('0');
    expect(page.length).toBeGreaterThanOrEqual(120);
  });

  it('walks a hash with HSCAN (ioredis hscanStream)', async () => {
    const fields = Array.from({ length: 1500 }, (_, i) => `field:${i}`); // over 512: paged
    await redis.hset('hscan:h', ...fields.flatMap((f, i) => [f, `v${i}`]));
    const seen = new Map<string, string>();
    await new Promise<void>((resolve, reject) => {
      const stream = redis.hscanStream('hscan:h', { match: 'field:1*', count: 10 });
      stream.on('data', (batch: string[]) => {
        for (let i = 0; i + 1 < batch.length; i += 2) seen.set(batch[i]!, batch[i + 1]!);
      });
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const expected = fields.filter((f) => f.startsWith('field:1'));
    expect([...seen.keys()].sort()).toEqual(expected.sort());
    expect(seen.get('field:123')).toBe('v123');
    await redis.rpush('hscan:l', 'a');
    await expect(redis.hscan('hscan:l', '0')).rejects.toThrow('WRONGTYPE');
  });

  it('rejects an ioredis transaction without running any of it', async () => {
    await expect(redis.multi().set('tx:a', '1').incr('tx:n').exec()).rejects.toThrow(/EXECABORT|MULTI/);
    expect(await redis.exists('tx:a', 'tx:n')).toBe(0);
    expect(await redis.ping()).toBe('PONG'); // the connection goes on
  });

  it('closes the connection after QUIT, answering it OK', async () => {
    const other = connect(node.addresses.resp!);
    await other.ping(); // connected and ready: quit() then goes to the server
    expect(await other.quit()).toBe('OK');
    await expect.poll(() => other.status).toBe('end');
  });
});

describe('ioredis against a three-node cluster, through every node', () => {
  let cluster: InProcessCluster;
  let clients: Redis[];

  beforeAll(async () => {
    cluster = await startCluster(3, { cluster: { replicas: 1 } });
    clients = cluster.nodes.map((n) => connect(n.addresses.resp!));
  });

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await cluster.stop();
  });

  it.each([[0], [1], [2]])('runs every command through node %i', async (i) => {
    await checkCommands(clients[i]!, `n${i}:`);
  });

  it('reads through every node what was written through one, MGET/MSET spanning owners', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `spread:${i}`);
    expect(await clients[0]!.mset(...keys.flatMap((k, i) => [k, `v${i}`]))).toBe('OK');
    const owners = new Set(keys.map((k) => cluster.nodes.findIndex((n) => n.store.peek(k)?.type === 'string')));
    expect(owners.size).toBeGreaterThan(1);
    for (const c of clients) expect(await c.mget(...keys)).toEqual(keys.map((_, i) => `v${i}`));
  });

  it('answers HSCAN through every node from the hash\'s leader', async () => {
    await clients[0]!.hset('spread:hash', 'a', '1', 'b', '2');
    for (const c of clients) expect(await c.hscan('spread:hash', '0')).toEqual(['0', ['a', '1', 'b', '2']]);
  });

  it('pages a large hash with HSCAN through every node: the scan stays open on its leader', async () => {
    const fields = Array.from({ length: 1000 }, (_, i) => `f${i}`);
    await clients[0]!.hset('spread:large', ...fields.flatMap((f) => [f, `v-${f}`]));
    expect(cluster.nodes.filter((n) => n.store.peek('spread:large') !== undefined).length).toBeLessThan(3);
    for (const c of clients) {
      const seen: string[] = [];
      let cursor = '0';
      let pages = 0;
      do {
        const [next, items] = await c.hscan('spread:large', cursor, 'COUNT', '200');
        for (let i = 0; i < items.length; i += 2) {
          expect(items[i + 1]).toBe(`v-${items[i]}`);
          seen.push(items[i]!);
        }
        cursor = next;
        pages++;
      } while (cursor !== '0' && pages < 50);
      expect(pages).toBe(5);
      expect(seen.sort()).toEqual([...fields].sort());
    }
  });

  it('answers HRANDFIELD WITHVALUES as Redis does for RESP2 and RESP3, forwarded or not', async () => {
    await clients[0]!.hset('spread:rand', 'a', '1', 'b', '2');
    const leaders = cluster.nodes.filter((n) => n.store.peek('spread:rand') !== undefined);
    expect(leaders.length).toBeLessThan(3); // replicas: 1, so one node at least forwards
    for (const node of cluster.nodes) {
      const raw = await RawResp.connect(Number(node.addresses.resp!.slice(node.addresses.resp!.lastIndexOf(':') + 1)));
      try {
        // A count past the hash answers it whole, in hash order: a fixed reply to compare.
        expect(await raw.call(['HRANDFIELD', 'spread:rand', '5', 'WITHVALUES'])).toBe('*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
        expect(await raw.call(['HELLO', '3'])).toMatch(/^%7\r\n/);
        expect(await raw.call(['HRANDFIELD', 'spread:rand', '5', 'WITHVALUES'])).toBe('*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n');
        expect(await raw.call(['HRANDFIELD', 'spread:rand', '-3', 'WITHVALUES'])).toMatch(/^\*3\r\n(\*2\r\n\$1\r\n(a\r\n\$1\r\n1|b\r\n\$1\r\n2)\r\n){3}$/);
        expect(await raw.call(['HRANDFIELD', 'spread:none'])).toBe('_\r\n');
      } finally {
        raw.close();
      }
    }
  });

  it('pipelines forwarded and local commands, answered in order', async () => {
    const pipe = clients[1]!.pipeline();
    for (let i = 0; i < 300; i++) pipe.incr(`ctr:${i % 7}`).get(`ctr:${i % 7}`);
    const results = (await pipe.exec())!;
    const counts = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const n = (counts.get(i % 7) ?? 0) + 1;
      counts.set(i % 7, n);
      expect(results[i * 2]).toEqual([null, n]);
      expect(results[i * 2 + 1]).toEqual([null, String(n)]); // the read sees the write before it
    }
  });

  it('counts every key once with DBSIZE through any node, and FLUSHALL empties every node', async () => {
    await clients[0]!.flushall();
    await clients[1]!.mset('d1', 'a', 'd2', 'b', 'd3', 'c', 'd4', 'd');
    for (const c of clients) expect(await c.dbsize()).toBe(4);
    expect(await clients[2]!.flushall()).toBe('OK');
    for (const n of cluster.nodes) expect(n.store.size).toBe(0);
    for (const c of clients) expect(await c.dbsize()).toBe(0);
  });
});
