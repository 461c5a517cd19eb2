import { describe, expect, it } from 'vitest';
import { ReplyMap, Simple, type Reply } from '../command/index.js';
import { silentLogger } from '../log/index.js';
import { TransportError } from '../peer/index.js';
import type { Replicator } from '../replication/index.js';
import { Ring, createHasher } from '../ring/index.js';
import { makeStore } from '../store/testing/fixtures.js';
import { encodeReply } from '../wire/index.js';
import { Explainer, isExplain, Router, type ClusterView, type Forwarder } from './index.js';

const hasher = await createHasher();
const ring = Ring.fromMembers(['a', 'b', 'c'], 64, hasher.textPosition);
const statuses: Record<string, 'alive' | 'suspect'> = { a: 'alive', b: 'alive', c: 'suspect' };

function keyWithOwners(leader: string, replica: string): string {
  for (let i = 0; ; i++) {
    const owners = ring.owners(hasher.keyPosition(`k${i}`), 2);
    if (owners[0] === leader && owners[1] === replica) return `k${i}`;
  }
}

/** An explainer on node `self` whose peers answer each forwarded command with `peer`. */
function setup(self: string, peer: (member: string, name: string) => Promise<Uint8Array>) {
  const asked: string[] = [];
  const forwarder: Forwarder = {
    forward(member, command) {
      asked.push(`${command.name}@${member}`);
      return peer(member, command.name);
    },
  };
  const view: ClusterView = { selfId: self, ring, statusOf: (id) => statuses[id], writable: () => true, joined: () => true };
  const { store } = makeStore();
  const router = new Router(
    { store, hasher, view: () => view, forwarder, replicator: { replicate: () => undefined, confirm: () => undefined, behind: () => undefined, unacknowledged: () => undefined } as unknown as Replicator, log: silentLogger() },
    { replicas: 1, hopLimit: 2, limits: { maxArgs: 100, maxValueBytes: 1024 } },
  );
  const explainer = new Explainer({ hasher, view: () => view, store, execute: (c) => router.execute(c) }, { replicas: 1 });
  const explain = async (key: string, ...args: string[]) => asObject(await explainer.explain({ name: 'EXPLAIN', key, args }));
  return { explain, store, router, asked };
}

/** The reply map as a plain object (Simple as its text). */
function asObject(reply: Reply): Record<string, unknown> {
  const plain = (r: Reply): unknown => {
    if (r instanceof Simple) return r.text;
    if (Array.isArray(r)) return r.map(plain);
    if (r instanceof ReplyMap) return Object.fromEntries(r.entries.map(([k, v]) => [k, plain(v)]));
    return r;
  };
  return plain(reply) as Record<string, unknown>;
}

describe('EXPLAIN', () => {
  it('answers placement, type and TTL of a key this node leads, without its value', async () => {
    const { explain, router, asked } = setup('a', () => Promise.reject(new Error('no forward expected')));
    const key = keyWithOwners('a', 'c');
    await router.execute({ name: 'HSET', key, args: ['secret-field', 'secret-value'] });
    await router.execute({ name: 'PEXPIRE', key, args: ['60000'] });
    const answer = await explain(key);
    expect(answer).toMatchObject({
      key,
      position: hasher.keyPosition(key),
      ringVersion: ring.version,
      node: 'a',
      leader: 'a',
      replicas: ['c'],
      statuses: { a: 'alive', c: 'suspect' },
      type: 'hash',
      role: 'leader',
      holdsCopy: 1,
    });
    expect(answer.ttlMs).toBeGreaterThan(59_000);
    expect(answer.ttlMs).toBeLessThanOrEqual(60_000);
    expect(answer).not.toHaveProperty('error');
    expect(JSON.stringify(answer)).not.toMatch(/secret/);
    expect(asked).toEqual([]);
  });

  it('asks the leader for type and TTL when another node leads the key', async () => {
    const replies: Record<string, Reply> = { TYPE: new Simple('list'), PTTL: -1 };
    const { explain, asked } = setup('c', (_member, name) => Promise.resolve(encodeReply(replies[name]!)));
    const key = keyWithOwners('b', 'c');
    expect(await explain(key)).toMatchObject({ node: 'c', leader: 'b', replicas: ['c'], type: 'list', ttlMs: -1, role: 'replica', holdsCopy: 0 });
    expect(asked.sort()).toEqual(['PTTL@b', 'TYPE@b']);
  });

  it('says a missing key is missing, and a non-owner holds no role', async () => {
    const replies: Record<string, Reply> = { TYPE: new Simple('none'), PTTL: -2 };
    const { explain } = setup('a', (_member, name) => Promise.resolve(encodeReply(replies[name]!)));
    expect(await explain(keyWithOwners('b', 'c'))).toMatchObject({ type: 'none', ttlMs: -2, role: 'none', holdsCopy: 0 });
  });

  it('still answers placement when no owner can be asked', async () => {
    const { explain } = setup('a', (member) => Promise.reject(new TransportError(member, 'connection refused')));
    const answer = await explain(keyWithOwners('b', 'c'));
    expect(answer).toMatchObject({ leader: 'b', replicas: ['c'], type: null, ttlMs: null });
    expect(answer.error).toMatch(/^UNAVAILABLE /);
  });

  it.each([
    ['no key', '', []],
    ['an extra argument', 'k', ['x']],
  ])('refuses %s with the arity error', async (_name, key, args) => {
    const { explain } = setup('a', () => Promise.reject(new Error('unused')));
    await expect(explain(key, ...args)).rejects.toMatchObject({ code: 'ERR', message: "ERR wrong number of arguments for 'explain' command" });
  });

  it('is recognised in any case, and only by its own name', () => {
    expect(['EXPLAIN', 'explain', 'Explain'].map(isExplain)).toEqual([true, true, true]);
    expect(['EXPLAINS', 'PLAIN', ''].map(isExplain)).toEqual([false, false, false]);
    // Unicode case mapping turns the dotless ı into I; the command table folds ASCII only.
    expect(['explaın', 'EXPLAİN'].map(isExplain)).toEqual([false, false]);
  });
});
