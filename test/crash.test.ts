import { afterEach, describe, expect, it } from 'vitest';
import { ProcessCluster, type ProcessNode } from './helpers/process-cluster.js';

// Short failure-detection timings so a crash is handled within a couple of seconds.
const TIMINGS = {
  GOKV_LOG_LEVEL: 'warn',
};

let cluster: ProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

interface Ledger {
  hashes: Map<string, string>;
  /** Per list: acknowledged pushes in order, and pushes whose outcome is unknown. */
  lists: Map<string, { acked: string[]; unsure: Set<string> }>;
  failures: number;
}

/** Writes distinct hash keys and numbered pushes to a few lists through the live nodes. */
async function writeFor(ms: number, entries: () => ProcessNode[], ledger: Ledger, start: number): Promise<number> {
  const until = Date.now() + ms;
  let i = start;
  while (Date.now() < until) {
    const live = entries();
    const node = live[i % live.length]!;
    const key = `k:${i}`;
    const list = `list:${i % 4}`;
    const item = String(i);
    const [h, l] = await Promise.allSettled([
      node.client.run('HSET', key, 'f', `v${i}`),
      node.client.run('RPUSH', list, item),
    ]);
    if (h.status === 'fulfilled') ledger.hashes.set(key, `v${i}`);
    else ledger.failures++;
    const entry = ledger.lists.get(list) ?? { acked: [], unsure: new Set<string>() };
    ledger.lists.set(list, entry);
    if (l.status === 'fulfilled') entry.acked.push(item);
    else {
      entry.unsure.add(item);
      ledger.failures++;
    }
    i++;
  }
  return i;
}

describe('SIGKILL of one of three nodes with replicas: 1', () => {
  it.each([0, 1, 2])('loses no acknowledged write when node %i dies under load', async (victimIndex) => {
    cluster = await ProcessCluster.start(3, {
      ...TIMINGS,
      GOKV_CONFIG_PATH: 'test/fixtures/fast-failover.yml',
    });
    const victim = cluster.nodes[victimIndex]!;
    const survivors = cluster.nodes.filter((n) => n !== victim);
    const ledger: Ledger = { hashes: new Map(), lists: new Map(), failures: 0 };

    let next = await writeFor(1500, () => cluster!.nodes, ledger, 0);
    cluster.kill(victim);
    next = await writeFor(2500, () => survivors, ledger, next);
    await cluster.waitForAlive(survivors, 2);
    await writeFor(500, () => survivors, ledger, next);

    expect(ledger.hashes.size).toBeGreaterThan(50);
    for (const reader of survivors) {
      const missing: string[] = [];
      for (const [key, value] of ledger.hashes) {
        const got = (await reader.client.run('HMGET', key, 'f')) as Array<Buffer | null>;
        if (got[0]?.toString() !== value) missing.push(key);
      }
      expect(missing).toEqual([]);
      for (const [list, { acked, unsure }] of ledger.lists) {
        const items = ((await reader.client.run('LRANGE', list, '0', '-1')) as Buffer[]).map(String);
        // Every acknowledged push is there, in order; only pushes with an unknown outcome may be extra.
        expect(items.filter((x) => !unsure.has(x))).toEqual(acked);
      }
    }
  });
});
