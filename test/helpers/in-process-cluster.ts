import { vi } from 'vitest';
import { testConfig, type Config, type DeepPartial } from '../../internal/config/index.js';
import { silentLogger } from '../../internal/log/index.js';
import { startNode, type GokvNode } from '../../internal/node/index.js';
import { TestClient } from './client.js';

export interface InProcessCluster {
  nodes: GokvNode[];
  clients: TestClient[];
  stop(): Promise<void>;
}

/**
 * Starts `n` real nodes in this process, each with its own gRPC servers on loopback ports,
 * the first as the seed of the others, and waits until every node sees all of them alive.
 */
export async function startCluster(n: number, overrides: DeepPartial<Config> = {}): Promise<InProcessCluster> {
  const nodes: GokvNode[] = [];
  for (let i = 0; i < n; i++) {
    const seeds = nodes.length > 0 ? [{ id: nodes[0]!.id, addr: nodes[0]!.addresses.internal! }] : [];
    const config = testConfig({
      ...overrides,
      node: { ...overrides.node, id: `node${i + 1}` },
      addresses: { ...overrides.addresses, seeds },
    });
    nodes.push(await startNode(config, { log: silentLogger() }));
  }
  const clients = nodes.map((node) => new TestClient(node.addresses.grpc!));
  await waitForConvergence(nodes, n);
  return {
    nodes,
    clients,
    async stop() {
      for (const c of clients) c.close();
      await Promise.all(nodes.map((node) => node.stop({ leave: false })));
    },
  };
}

/** Waits until every given node sees `expected` alive members with one ring. */
export async function waitForConvergence(nodes: readonly GokvNode[], expected: number, timeoutMs = 10_000): Promise<void> {
  await vi.waitFor(
    () => {
      const alive = nodes.map((node) => node.members().filter((m) => m.status === 'alive').length);
      const rings = new Set(nodes.map((node) => node.ringVersion()));
      if (!alive.every((a) => a === expected) || rings.size !== 1) {
        throw new Error(`not converged: alive ${alive.join('/')}, ${rings.size} ring versions`);
      }
    },
    { timeout: timeoutMs, interval: 25 },
  );
}
