import { describe, expect, it } from 'vitest';
import { EncodedReply, OK, type Reply } from '../command/index.js';
import { silentLogger } from '../log/index.js';
import type { Replicator } from '../replication/index.js';
import { Ring, createHasher } from '../ring/index.js';
import { ManualClock, SeededRandom } from '../clock/index.js';
import { GokvError } from '../errors/index.js';
import { Store as KeyStore } from '../store/index.js';
import { decodeReply, encodeReply } from '../wire/index.js';
import { Router, type ClusterView, type Forwarder } from './index.js';

const hasher = await createHasher();
const MEMBERS = ['a', 'b', 'c'];
const ring = Ring.fromMembers(MEMBERS, 64, hasher.textPosition);

/**
 * Three routers wired to each other in memory: forwarding runs the other router's execute and
 * encodes its reply, as the Forward stream does. No replicas (each key lives on its leader only),
 * unless `replicas` says otherwise; a replicated write is applied to nobody (the test replicator).
 */
function cluster(options: { replicas?: number; down?: string[]; olderVersion?: string[]; left?: string[]; partMs?: number } = {}) {
  const stores = new Map<string, KeyStore>();
  const clocks = new Map<string, ManualClock>();
  const routers = new Map<string, Router>();
  const forwarded: string[] = [];
  for (const id of MEMBERS) {
    // Positions from the ring's own hasher, as in a node (the store fixtures use a readable hash).
    const clock = new ManualClock();
    const store = new KeyStore({ clock, random: new SeededRandom(1), hashKey: hasher.keyPosition });
    stores.set(id, store);
    clocks.set(id, clock);
    const forwarder: Forwarder = {
      async forward(member, command) {
        forwarded.push(`${id}->${member} ${command.name}`);
        if (options.down?.includes(member)) {
          throw Object.assign(new GokvError('UNAVAILABLE', 'UNAVAILABLE connection refused'), { transport: true, maybeApplied: false });
        }
        const reply = await routers.get(member)!.execute(command, command.hops, command.replicaRead);
        // A member of an older version answers a DBSIZE part with [keys, expires] only.
        if (options.olderVersion?.includes(member) && command.name === 'DBSIZE') return encodeReply((reply as number[]).slice(0, 2));
        return encodeReply(reply);
      },
    };
    const view: ClusterView = { selfId: id, ring, statusOf: () => 'alive', writable: () => true, joined: () => true, leftMembers: options.left };
    const replicator = { replicate: () => undefined, confirm: () => undefined, behind: () => undefined, unacknowledged: () => undefined } as unknown as Replicator;
    routers.set(
      id,
      new Router(
        { store, hasher, view: () => view, forwarder, replicator, log: silentLogger() },
        { replicas: options.replicas ?? 0, hopLimit: 2, limits: { maxArgs: 1000, maxValueBytes: 1 << 20 }, clusterWidePartMs: options.partMs },
      ),
    );
  }
  const run = async (via: string, name: string, key = '', ...args: string[]): Promise<unknown> => {
    const reply: Reply = await routers.get(via)!.execute({ name, key, args });
    return reply instanceof EncodedReply ? decodeReply(reply.msgpack) : reply;
  };
  return { stores, clocks, run, forwarded };
}

const leaderOf = (key: string) => ring.leader(hasher.keyPosition(key))!;
const KEYS = Array.from({ length: 30 }, (_, i) => `key:${i}`);

describe('MGET and MSET across owners', () => {
  it('MSET writes each key on its own leader and MGET reads them back in order, through any node', async () => {
    const c = cluster();
    expect(new Set(KEYS.map(leaderOf)).size).toBe(3);
    expect(await c.run('a', 'MSET', KEYS[0]!, 'v0', ...KEYS.slice(1).flatMap((k, i) => [k, `v${i + 1}`]))).toEqual(OK);
    for (const k of KEYS) {
      const holders = [...c.stores].filter(([, s]) => s.peek(k) !== undefined).map(([id]) => id);
      expect(holders).toEqual([leaderOf(k)]);
    }
    for (const via of MEMBERS) {
      const got = (await c.run(via, 'MGET', KEYS[0]!, 'missing', ...KEYS.slice(1))) as unknown[];
      expect(got.map((v) => (v === null ? null : String(v)))).toEqual(['v0', null, ...KEYS.slice(1).map((_, i) => `v${i + 1}`)]);
    }
  });

  it('MSET of a key named twice keeps the last value', async () => {
    const c = cluster();
    await c.run('b', 'MSET', 'x', '1', 'y', '2', 'x', '3');
    expect(await c.run('c', 'MGET', 'x', 'y')).toEqual(['3', '2']);
  });

  it('MSET with an odd count is the arity error, and nothing is written', async () => {
    const c = cluster();
    await expect(c.run('a', 'MSET', 'x', '1', 'y')).rejects.toThrow("ERR wrong number of arguments for 'mset' command");
    expect(await c.run('a', 'MGET', 'x')).toEqual([null]);
  });
});

describe('cluster-wide DBSIZE and FLUSHALL', () => {
  it('DBSIZE counts every key once through any node, replicas\' copies excluded', async () => {
    const c = cluster();
    for (const k of KEYS) await c.run('a', 'SET', k, 'v');
    await c.run('a', 'SET', 'ttl', 'v', 'EX', '100');
    // A copy held by a non-leader (as a replica holds one) is not counted.
    const other = MEMBERS.find((m) => m !== leaderOf(KEYS[0]!))!;
    c.stores.get(other)!.mergeKey(KEYS[0]!, c.stores.get(leaderOf(KEYS[0]!))!.exportKey(KEYS[0]!)!);
    for (const via of MEMBERS) {
      expect(await c.run(via, 'DBSIZE')).toBe(31);
      expect(await c.run(via, 'dbsize', 'WITHEXPIRES')).toEqual([31, 1, 100_000]);
    }
  });

  it('DBSIZE WITHEXPIRES gives the mean remaining TTL of the keys led across members, each on its own clock', async () => {
    const c = cluster();
    // 30 keys on three leaders, TTLs 1..30 s; a replica's copy with another TTL is not counted.
    for (const [i, k] of KEYS.entries()) await c.run('b', 'SET', k, 'v', 'PX', String((i + 1) * 1000));
    await c.run('b', 'SET', 'no-ttl', 'v');
    const other = MEMBERS.find((m) => m !== leaderOf(KEYS[0]!))!;
    c.stores.get(other)!.mergeKey(KEYS[0]!, { type: 'string', value: ['v'], expireAtMs: Date.UTC(2100, 0), version: 1 });
    expect(await c.run('a', 'DBSIZE', 'WITHEXPIRES')).toEqual([31, 30, 15_500]);
    for (const clock of c.clocks.values()) clock.advance(20_000); // 20 keys now expired, not yet collected
    expect(await c.run('c', 'DBSIZE', 'WITHEXPIRES')).toEqual([31, 30, 0]); // never negative
    for (const k of KEYS) await c.run('a', 'GET', k); // collected
    expect(await c.run('c', 'DBSIZE', 'WITHEXPIRES')).toEqual([11, 10, 5_500]);
  });

  it('DBSIZE WITHEXPIRES takes the mean over the members that report one (a rolling upgrade)', async () => {
    const c = cluster({ olderVersion: ['b'] });
    for (const k of KEYS) await c.run('a', 'SET', k, 'v', 'PX', leaderOf(k) === 'b' ? '1000' : '9000');
    const [keys, expires, avg] = (await c.run('a', 'DBSIZE', 'WITHEXPIRES')) as number[];
    expect([keys, expires]).toEqual([30, 30]);
    expect(avg).toBe(9000);
  });

  it('FLUSHALL deletes every copy on every node, leaving tombstones', async () => {
    const c = cluster();
    for (const k of KEYS) await c.run('b', 'RPUSH', k, 'v');
    c.stores.get('a')!.mergeKey('stray', { type: 'string', value: ['x'], expireAtMs: 0, version: 5 });
    expect(await c.run('c', 'FLUSHALL')).toEqual(OK);
    for (const s of c.stores.values()) expect(s.size).toBe(0);
    expect(c.stores.get(leaderOf(KEYS[0]!))!.tombstone(KEYS[0]!)).toBeDefined();
    expect(await c.run('a', 'DBSIZE')).toBe(0);
    expect(await c.run('a', 'FLUSHDB', 'ASYNC')).toEqual(OK);
  });

  it('FLUSHALL works in chunks larger than one turn', async () => {
    const c = cluster();
    const many = Array.from({ length: 5000 }, (_, i) => `m${i}`);
    for (const k of many) c.stores.get('a')!.mergeKey(k, { type: 'string', value: ['v'], expireAtMs: 0, version: 5 });
    await c.run('a', 'FLUSHALL', 'SYNC');
    expect(c.stores.get('a')!.size).toBe(0);
  });

  it('a forwarded FLUSHALL part stops at its time budget and the next part resumes at its cursor', async () => {
    const c = cluster({ partMs: 0 });
    for (let i = 0; i < 5000; i++) c.stores.get('b')!.mergeKey(`m${i}`, { type: 'string', value: ['v'], expireAtMs: 0, version: 5 });
    expect(await c.run('a', 'FLUSHALL')).toEqual(OK);
    expect(c.stores.get('b')!.size).toBe(0);
    // A zero budget deletes one chunk (1000 keys) per part: five parts or more, each on from the last.
    expect(c.forwarded.filter((f) => f === 'a->b FLUSHALL').length).toBeGreaterThanOrEqual(5);
    expect(c.stores.get('b')!.tombstone('m4999')).toBeDefined();
  });

  it.each([
    ['a cursor that is not a number', ['x']],
    ['a cursor past the ring', ['4294967297']],
    ['two cursors', ['1', '2']],
  ])('a FLUSHALL part with %s is refused', async (_name, args) => {
    const c = cluster();
    c.stores.get('a')!.mergeKey('k', { type: 'string', value: ['v'], expireAtMs: 0, version: 5 });
    const router = new Router(
      { store: c.stores.get('a')!, hasher, view: () => ({ selfId: 'a', ring, statusOf: () => 'alive', writable: () => true, joined: () => true }), forwarder: { forward: () => Promise.reject(new Error('unused')) }, replicator: {} as Replicator, log: silentLogger() },
      { replicas: 0, hopLimit: 2, limits: { maxArgs: 1000, maxValueBytes: 1 << 20 } },
    );
    await expect(Promise.resolve().then(() => router.execute({ name: 'FLUSHALL', key: '', args }, 1))).rejects.toThrow('ERR syntax error');
    expect(c.stores.get('a')!.size).toBe(1);
  });

  it('fails, not loops, when a member answers a FLUSHALL part with a cursor that does not move on', async () => {
    const view: ClusterView = { selfId: 'a', ring, statusOf: () => 'alive', writable: () => true, joined: () => true };
    let parts = 0;
    const forwarder: Forwarder = {
      async forward() {
        parts++;
        return encodeReply([7]);
      },
    };
    const store = new KeyStore({ clock: new ManualClock(), random: new SeededRandom(1), hashKey: hasher.keyPosition });
    const router = new Router({ store, hasher, view: () => view, forwarder, replicator: {} as Replicator, log: silentLogger() }, { replicas: 0, hopLimit: 2, limits: { maxArgs: 1000, maxValueBytes: 1 << 20 } });
    await expect(Promise.resolve().then(() => router.execute({ name: 'FLUSHALL', key: '', args: [] }))).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('bad cursor') });
    expect(parts).toBe(4); // b and c: the first [7] is progress, the second repeats it
  });

  it.each([
    ['DBSIZE with an argument', ['DBSIZE', 'x'], "ERR wrong number of arguments for 'dbsize' command"],
    ['FLUSHALL with a bad option', ['FLUSHALL', 'NOW'], 'ERR syntax error'],
    ['FLUSHALL with two options', ['FLUSHALL', 'SYNC', 'ASYNC'], 'ERR syntax error'],
  ])('%s is refused', async (_name, [name, key, ...args], message) => {
    const c = cluster();
    await expect(c.run('a', name!, key, ...args)).rejects.toThrow(message);
    expect(c.forwarded).toEqual([]);
  });

  it('fails with UNAVAILABLE naming the unreachable member, after flushing the others', async () => {
    const c = cluster({ down: ['b'] });
    c.stores.get('a')!.mergeKey('k2', { type: 'string', value: ['x'], expireAtMs: 0, version: 5 });
    await expect(c.run('a', 'FLUSHALL')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('reached 2 of 3 nodes (not b: connection refused); retry') });
    expect(c.stores.get('a')!.size).toBe(0);
    await expect(c.run('c', 'DBSIZE')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('FLUSHALL also reaches members that left (one may still be handing keys off); one gone is no failure', async () => {
    const c = cluster({ left: ['d'], down: ['d'] });
    expect(await c.run('a', 'FLUSHALL')).toEqual(OK);
    expect(c.forwarded.sort()).toEqual(['a->b FLUSHALL', 'a->c FLUSHALL', 'a->d FLUSHALL']);
    await c.run('a', 'DBSIZE');
    expect(c.forwarded.filter((f) => f.includes('->d'))).toHaveLength(1); // DBSIZE counts ring members' arcs only
  });

  it('sends each member only its own arcs with one hop', async () => {
    const c = cluster();
    await c.run('a', 'DBSIZE');
    expect(c.forwarded.sort()).toEqual(['a->b DBSIZE', 'a->c DBSIZE']);
  });
});
