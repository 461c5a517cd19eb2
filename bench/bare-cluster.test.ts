// The bare cluster is a ceiling only if it does a cluster write's network work: forward to the
// key's leader, and answer a write only once every other node has acknowledged it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../test/helpers/client.js';
import { bareLeaderOf } from './bare-replies.js';
import { keyName } from './load-plan.js';
import { startBareCluster } from './targets.js';
import type { Target } from './targets.js';

const keyLedBy = (node: number, nodes: number, from = 0): string => {
  for (let i = from; ; i++) if (bareLeaderOf(Buffer.from(keyName(i)), nodes) === node) return keyName(i);
};

describe('the bare cluster (bench/bare-cluster-node.ts)', () => {
  let target: Target;
  let clients: TestClient[];

  beforeAll(async () => {
    target = await startBareCluster(3);
    clients = target.addresses.map((a) => new TestClient(a));
  }, 60_000);

  afterAll(async () => {
    for (const c of clients ?? []) c.close();
    await target?.stop();
  });

  it('answers commands for keys led by any node, from any node, over RunCommand and streams', async () => {
    for (const [entry, client] of clients.entries()) {
      for (let leader = 0; leader < 3; leader++) {
        const key = keyLedBy(leader, 3);
        expect(await client.run('HSET', key, 'f', 'v'), `HSET via ${entry} to ${leader}`).toBe(1);
        expect(await client.run('HGET', key, 'f'), `HGET via ${entry} to ${leader}`).not.toBeNull();
      }
    }
    const keys = [0, 1, 2, 0, 2, 1].map((leader, i) => keyLedBy(leader, 3, i * 50));
    const replies = await clients[0]!.stream(keys.flatMap((key) => [{ command: 'HSET', key, args: ['f', 'v'] }, { command: 'LPOP', key }]));
    expect(replies).toHaveLength(12);
    expect(replies.every((r) => r.error === '' && r.response.length > 0)).toBe(true);
  }, 30_000);

  it('holds a write until every other node has acknowledged it, and a read not at all', async () => {
    const key = keyLedBy(0, 3);
    const stopped = target.procs[2]!.child;
    stopped.kill('SIGSTOP');
    try {
      let answered = false;
      const write = clients[0]!.run('HSET', key, 'f', 'v').then((r) => ((answered = true), r));
      // A read sent after it on the same connection is answered at once, so the leader has read
      // the write by then: an unanswered write is waiting for the stopped node's ack.
      expect(await clients[0]!.run('HGET', key, 'f')).not.toBeNull();
      expect(answered).toBe(false);
      stopped.kill('SIGCONT');
      expect(await write).toBe(1);
    } finally {
      stopped.kill('SIGCONT');
    }
  }, 30_000);
});
