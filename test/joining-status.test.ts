import { describe, expect, it } from 'vitest';
import { testConfig } from '../internal/config/index.js';
import { silentLogger } from '../internal/log/index.js';
import { startNode } from '../internal/node/index.js';
import { TestClient } from './helpers/client.js';

// Found by an operator-mistake review: a node whose seeds never answered refused every command
// as "still joining", while `gokv-cli status` showed it alive with writes not refused.
describe('a node no seed has answered', () => {
  it('says in its status that it is still joining', async () => {
    const config = testConfig({ addresses: { seeds: [{ addr: '127.0.0.1:1' }] } });
    const node = await startNode(config, { log: silentLogger() });
    const client = new TestClient(node.addresses.grpc!);
    try {
      expect(node.members()[0]?.writesRefused).toBe('this node is still joining the cluster (no member has answered it yet)');
      await expect(client.run('HSET', 'k', 'f', 'v')).rejects.toThrow(/still joining/);
    } finally {
      client.close();
      await node.stop({ leave: false });
    }
  });
});
