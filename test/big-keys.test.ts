import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GokvNode } from '../internal/node/index.js';
import { FaultLinks } from './helpers/fault-links.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

// A key's whole state must fit one gRPC message (limits.max_message_bytes) to be replicated,
// handed off or pulled. A hash or list grown past that by many small writes could never be
// moved: its hand-off retried until the leave gave up, and the key stayed behind. Writes that
// would grow a key past it are refused; pulls of several large keys are answered over several
// messages.

const MAX_MESSAGE = 1 << 20;
const FIELD = 300 << 10;
let cluster: InProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const limits = { maxMessageBytes: MAX_MESSAGE, maxValueBytes: 400 << 10 };

/** The first key `${prefix}N` that `node` leads (asked through `cluster.clients[0]`). */
async function keyLedBy(c: InProcessCluster, node: GokvNode, prefix: string): Promise<string> {
  for (let i = 0; ; i++) {
    const key = `${prefix}${i}`;
    const where = (await c.clients[0]!.run('EXPLAIN', key)) as Map<string, unknown>;
    if (where.get('leader') === node.id) return key;
  }
}

const KEY_LIMIT_ERROR = /^ERR key would exceed maximum allowed size \(limits\.max_message_bytes\)/;

describe('a write that would grow a key past one message', () => {
  it('is refused (LIMIT) for hashes and lists, leaving the key as it was; the key still moves on a leave', async () => {
    cluster = await startCluster(2, { cluster: { replicas: 0 }, limits });
    const c = cluster;
    const [stayer, leaver] = c.nodes as [GokvNode, GokvNode];
    const client = c.clients[0]!;
    const hash = await keyLedBy(c, leaver, 'h');
    const list = await keyLedBy(c, leaver, 'l');
    for (const f of ['a', 'b', 'c']) expect(await client.run('HSET', hash, f, Buffer.alloc(FIELD, 0x61))).toBe(1);
    await expect(client.run('HSET', hash, 'd', Buffer.alloc(FIELD, 0x61))).rejects.toMatchObject({
      code: 'LIMIT',
      message: expect.stringMatching(KEY_LIMIT_ERROR),
    });
    // A small write to the same key still goes in.
    expect(await client.run('HLEN', hash)).toBe(3);
    expect(await client.run('HSET', hash, 'a', 'small')).toBe(0);

    for (let i = 0; i < 3; i++) await client.run('RPUSH', list, Buffer.alloc(FIELD, 0x62));
    await expect(client.run('LPUSH', list, Buffer.alloc(FIELD, 0x62))).rejects.toMatchObject({ code: 'LIMIT' });
    await expect(client.run('LINSERT', list, 'BEFORE', 'x', Buffer.alloc(FIELD, 0x62))).rejects.toMatchObject({ code: 'LIMIT' });
    expect(await client.run('LLEN', list)).toBe(3);
    // Small writes still go in under the bound.
    expect(await client.run('RPUSH', list, 'tail')).toBe(4);

    await leaver.stop({ leave: true });
    expect(stayer.store.peek(hash)).toBeDefined();
    expect(stayer.store.peek(list)).toBeDefined();
    expect(await client.run('HLEN', hash)).toBe(3);
    expect(await client.run('HSTRLEN', hash, 'b')).toBe(FIELD);
    expect(await client.run('LLEN', list)).toBe(4);
  }, 60_000);

  it('a key grown to the bound is resynced whole to its replica after the stream breaks', async () => {
    const links = new FaultLinks(5);
    cluster = await startCluster(2, { cluster: { replicas: 1 }, limits }, { deps: (id) => ({ faults: links.forNode(id) }) });
    links.learn(cluster.nodes);
    const c = cluster;
    const [leader, replica] = c.nodes as [GokvNode, GokvNode];
    const client = c.clients[0]!;
    const key = await keyLedBy(c, leader, 'r');
    // Fields of 20 KB until refused: the key ends within one write of the bound.
    let fields = 0;
    for (;;) {
      try {
        await client.run('HSET', key, `f${fields}`, Buffer.alloc(20 << 10, 0x65));
        fields++;
      } catch (err) {
        expect(err).toMatchObject({ code: 'LIMIT' });
        break;
      }
    }
    expect(fields).toBeGreaterThan(40);
    links.cutChannel(leader.id, replica.id, 'replicate'); // the stream breaks: the key is resent whole
    const write = client.runOnce('HSET', key, 'last', 'x').catch((err: unknown) => err);
    await vi.waitFor(() => expect(links.stats.blocked).toBeGreaterThan(0), { timeout: 5000, interval: 5 }); // its op was cut
    links.heal();
    await write;
    await vi.waitFor(() => expect((replica.store.exportKey(key) as { value: string[] } | undefined)?.value.length).toBe(2 * (fields + 1)), {
      timeout: 10_000,
      interval: 50,
    });
  }, 60_000);
});

describe('pulls of several large keys', () => {
  it('are answered over several messages when together they would not fit one', async () => {
    const links = new FaultLinks(11);
    cluster = await startCluster(2, { cluster: { replicas: 0 }, limits }, { deps: (id) => ({ faults: links.forNode(id) }) });
    links.learn(cluster.nodes);
    const c = cluster;
    const [stayer, leaver] = c.nodes as [GokvNode, GokvNode];
    const client = c.clients[0]!;
    // Four keys of 600 KB on the leaver: each fits a message, any two together do not.
    const keys: string[] = [];
    for (let i = 0; keys.length < 4; i++) keys.push(await keyLedBy(c, leaver, `p${i}-`));
    for (const k of keys) for (const f of ['a', 'b']) await client.run('HSET', k, f, Buffer.alloc(FIELD, 0x64));

    links.cutChannel(leaver.id, stayer.id, 'rebalance'); // its hand-off is held up: keys are pulled
    const leaving = leaver.stop({ leave: true });
    await vi.waitFor(() => expect(stayer.members().find((m) => m.id === leaver.id)?.status).toBe('left'), { timeout: 10_000, interval: 5 });
    // Asked in one tick, the four keys go to the leaver as one FetchKeys.
    const lens = await Promise.all(keys.map((k) => client.run('HSTRLEN', k, 'b')));
    expect(lens).toEqual(keys.map(() => FIELD));
    links.heal();
    await leaving;
    expect(await Promise.all(keys.map((k) => client.run('HLEN', k)))).toEqual(keys.map(() => 2));
  }, 60_000);
});
