import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../internal/clock/index.js';
import { binFromText } from '../internal/store/index.js';
import { text } from './helpers/client.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

/** node2's wall clock runs this far ahead of node1's (NTP gone wrong, or a write in flight). */
const SKEW_MS = 3000;

class AheadClock extends SystemClock {
  override now(): number {
    return Date.now() + SKEW_MS;
  }
}

let cluster: InProcessCluster;

beforeAll(async () => {
  cluster = await startCluster(2, { cluster: { replicas: 1 } }, { deps: (id) => (id === 'node2' ? { clock: new AheadClock() } : {}) });
});

afterAll(async () => {
  await cluster.stop();
});

describe('TTLs on two nodes whose clocks differ', () => {
  it('keeps a PERSIST its leader took before the expiry on a replica that had passed it', async () => {
    // For the keys node1 leads, node2 expires them the moment they arrive; node1's PERSIST then
    // makes node2 ask for the key's state. node2's own expiry left a tombstone stamped with
    // the deadline, above the PERSIST's version, so it refused that state: the acknowledged
    // PERSIST was on one node only.
    const keys = Array.from({ length: 12 }, (_, i) => `persist:${i}`);
    for (const key of keys) {
      await cluster.clients[0]!.run('SET', key, 'v', 'PX', '2000');
      expect(await cluster.clients[0]!.run('PERSIST', key)).toBe(1);
    }
    for (const key of keys) {
      const copies = cluster.nodes.map((n) => n.store.exportKey(binFromText(key)));
      expect(copies, key).toEqual([copies[0], copies[0]]);
      expect(copies[0], key).toMatchObject({ expireAtMs: 0 });
      for (const client of cluster.clients) expect(text(await client.run('GET', key))).toBe('v');
    }
  });
});
