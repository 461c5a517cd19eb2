import { describe, expect, it } from 'vitest';
import type { Reply } from '../command/index.js';
import type { ServedCommand } from '../server/index.js';
import { ClientRegistry } from './clients.js';
import { infoText, type InfoSources } from './info.js';

function sources(dbsize: (cmd: ServedCommand) => Reply): InfoSources {
  return {
    service: { execute: dbsize, members: () => [], ringVersion: () => 0 },
    info: {
      nodeId: 'n1',
      gokvVersion: '0.0.0',
      maxMemoryBytes: 0,
      evictionPolicy: 'noeviction',
      usedMemoryBytes: () => 0,
      tombstones: () => ({ count: 0, bytes: 0 }),
      counters: () => ({ expiredKeys: 0, evictedKeys: 0, tombstonesPrunedEarly: 0 }),
    },
    clients: new ClientRegistry(() => 0),
    startedAtMs: 0,
    now: () => 0,
    elapsed: () => 0,
    port: 6379,
    maxClients: 10,
  };
}

describe('INFO keyspace', () => {
  it('reports the cluster\'s keys, keys with a TTL and their mean remaining TTL (DBSIZE WITHEXPIRES)', async () => {
    const asked: ServedCommand[] = [];
    const text = await infoText(['keyspace'], sources((cmd) => (asked.push(cmd), [12, 3, 41_250])));
    expect(text).toBe('# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=41250\r\n');
    expect(asked).toEqual([{ name: 'DBSIZE', key: 'WITHEXPIRES', args: [] }]);
  });

  it.each<[string, Reply, string]>([
    ['keys without a TTL', [5, 0, 0], 'db0:keys=5,expires=0,avg_ttl=0\r\n'],
    ['an empty database, left out as Redis does', [0, 0, 0], ''],
    ['a reply without the mean (an older coordinator)', [4, 1], 'db0:keys=4,expires=1,avg_ttl=0\r\n'],
  ])('reports %s', async (_name, reply, line) => {
    expect(await infoText(['keyspace'], sources(() => reply))).toBe(`# Keyspace\r\n${line}`);
  });
});

describe('INFO server', () => {
  it('counts uptime on the monotonic clock: a wall-clock step neither ages nor rejuvenates the server', async () => {
    const clients = new ClientRegistry(() => 0);
    const src = { ...sources(() => 0), clients, startedAtMs: 1_000, elapsed: () => 91_000, now: () => 5 };
    const text = await infoText(['server'], src);
    expect(text).toContain('uptime_in_seconds:90\r\n');
    expect(text).toContain('uptime_in_days:0\r\n');
  });
});
