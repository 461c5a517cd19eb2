import type * as grpc from '@grpc/grpc-js';
import { vi } from 'vitest';
import { testConfig, type Config, type DeepPartial } from '../../internal/config/index.js';
import { silentLogger } from '../../internal/log/index.js';
import { startNode, type GokvNode, type NodeDeps } from '../../internal/node/index.js';
import { TestClient } from './client.js';

export interface ClusterOptions {
  /** Overrides for node `index` (0-based) laid over `overrides`, e.g. each node's own certificate. */
  perNode?: (index: number) => DeepPartial<Config>;
  /** Credentials the test clients dial the external servers with (default: plaintext). */
  clientCredentials?: grpc.ChannelCredentials;
  /** Extra dependencies for the node with this id (e.g. the fault suite's LinkFaults). */
  deps?: (id: string) => Partial<NodeDeps>;
}

export interface InProcessCluster {
  nodes: GokvNode[];
  clients: TestClient[];
  /** Starts one more node (seeded with the first) and adds it and its client to the lists. */
  add(overrides?: DeepPartial<Config>): Promise<GokvNode>;
  stop(): Promise<void>;
}

/**
 * Starts `n` real nodes in this process, each with its own gRPC servers on loopback ports,
 * the first as the seed of the others, and waits until every node sees all of them alive.
 */
export async function startCluster(
  n: number,
  baseOverrides: DeepPartial<Config> = {},
  options: ClusterOptions = {},
): Promise<InProcessCluster> {
  const nodes: GokvNode[] = [];
  let started = 0;
  const startOne = async (extra: DeepPartial<Config> = {}): Promise<GokvNode> => {
    const i = started++;
    const seeds = nodes.length > 0 ? [{ id: nodes[0]!.id, addr: nodes[0]!.addresses.internal! }] : [];
    const base = options.perNode ? mergeOverrides(baseOverrides, options.perNode(i)) : baseOverrides;
    const overrides = mergeOverrides(base, extra);
    const id = `node${i + 1}`;
    const config = testConfig({
      ...overrides,
      node: { ...overrides.node, id },
      addresses: { ...overrides.addresses, seeds },
    });
    const node = await startNode(config, { log: silentLogger(), ...options.deps?.(id) });
    nodes.push(node);
    return node;
  };
  for (let i = 0; i < n; i++) await startOne();
  const clients = nodes.map((node) => new TestClient(node.addresses.grpc!, options.clientCredentials));
  await waitForConvergence(nodes, n);
  return {
    nodes,
    clients,
    async add(extra = {}) {
      const node = await startOne(extra);
      clients.push(new TestClient(node.addresses.grpc!, options.clientCredentials));
      return node;
    },
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

/** `over` laid on `base`: plain objects merge key by key, anything else (arrays too) replaces. */
function mergeOverrides<T>(base: DeepPartial<T>, over: DeepPartial<T>): DeepPartial<T> {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value !== undefined) out[key] = mergeOverrides(out[key] as DeepPartial<unknown>, value as DeepPartial<unknown>);
  }
  return out as DeepPartial<T>;
}

/** The first key `${prefix}N` that `node` leads (asked through `c.clients[0]`). */
export async function keyLedBy(c: InProcessCluster, node: GokvNode, prefix: string): Promise<string> {
  for (let i = 0; ; i++) {
    const key = `${prefix}${i}`;
    const where = (await c.clients[0]!.run('EXPLAIN', key)) as Map<string, unknown>;
    if (where.get('leader') === node.id) return key;
  }
}
