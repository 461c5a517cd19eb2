import { expect, vi } from 'vitest';
import { DEFAULT_CONFIG, testConfig, type Config, type DeepPartial } from '../../internal/config/index.js';
import { silentLogger } from '../../internal/log/index.js';
import { startNode, type GokvNode } from '../../internal/node/index.js';
import { TestClient } from '../helpers/client.js';
import { compareCopies, waitForQuiet, type CopiesReport } from '../helpers/copies.js';
import { startCluster, waitForConvergence } from '../helpers/in-process-cluster.js';
import { TIMINGS, waitUntilOut } from './in-process-scenarios.js';

// Do every key's copies end equal across the cluster? A seeded random workload of every type
// (hashes, lists, strings, counters; DEL, TTLs of a few seconds) through random nodes, while
// members join, one leaves gracefully and one is stopped abruptly and restarted under its id;
// then, once the cluster is quiet, every key's copies on its owners in the final ring are
// compared, and no other node may still hold a live copy.

export interface CopiesOptions {
  seed: number;
  replicas: number;
  /** Operations (acknowledged or not) between two membership changes. */
  opsPerPhase: number;
  /** TTLs are drawn in [ttlMs, 4 * ttlMs) (default 1 s). */
  ttlMs?: number;
  /** Restart the crashed node before its peers hold it dead (a new incarnation, not a death). */
  quickRestart?: boolean;
  /** memory.max_memory per node (default 0: no evictions); allkeys-lru evicts past it. */
  maxMemoryBytes?: number;
}

/** xorshift32, seeded: the workload's draws (which key, which command, which entry node). */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

const KEYS_PER_TYPE = 40;
const TYPES = ['h', 'l', 's', 'c'] as const;

/** One random command for `key` (its type is its prefix). */
function commandFor(key: string, r: () => number, ttlMs: number): [string, ...string[]] {
  const n = (k: number) => Math.floor(r() * k);
  const roll = n(20);
  if (roll === 0) return ['DEL', key];
  if (roll === 1) return ['PEXPIRE', key, String(ttlMs + n(3 * ttlMs))];
  if (roll === 2) return ['PERSIST', key];
  switch (key[0]) {
    case 'h':
      if (roll < 6) return ['HDEL', key, `f${n(4)}`];
      if (roll < 8) return ['HINCRBY', key, `n${n(2)}`, String(n(10))];
      return ['HSET', key, `f${n(4)}`, `v${n(1000)}`];
    case 'l':
      if (roll < 7) return ['LPOP', key];
      if (roll < 8) return ['LTRIM', key, '0', String(n(6))];
      return [r() < 0.5 ? 'RPUSH' : 'LPUSH', key, `i${n(1000)}`];
    case 's':
      return ['SET', key, `v${n(1000)}`];
    default:
      return ['INCR', key];
  }
}

/** Runs the scenario; returns the final comparison (the caller asserts on it). */
export async function runCopiesScenario(options: CopiesOptions): Promise<CopiesReport> {
  const overrides: DeepPartial<Config> = {
    ...TIMINGS,
    cluster: { replicas: options.replicas },
    replication: { mode: 'sync' },
    memory: { maxMemoryBytes: options.maxMemoryBytes ?? 0, evictionPolicy: 'allkeys-lru' },
  };
  const cluster = await startCluster(3, overrides);
  const clientOf = new Map<GokvNode, TestClient>(cluster.nodes.map((n, i) => [n, cluster.clients[i]!]));
  const extraClients: TestClient[] = [];
  const down = new Set<GokvNode>();
  const live = () => cluster.nodes.filter((n) => !down.has(n));
  const r = random(options.seed);
  const keys = TYPES.flatMap((t) => Array.from({ length: KEYS_PER_TYPE }, (_, i) => `${t}:${i}`));
  let ops = 0;
  let failed = 0;
  let running = true;
  const errors = new Set<string>();
  const workers = Array.from({ length: 4 }, async () => {
    while (running) {
      const entries = live();
      const node = entries[Math.floor(r() * entries.length)]!;
      const key = keys[Math.floor(r() * keys.length)]!;
      const [command, , ...args] = commandFor(key, r, options.ttlMs ?? 1_000);
      try {
        await clientOf.get(node)!.run(command, key, ...args);
      } catch (err) {
        failed++; // WRONGTYPE never happens (one type per key); failures are faults' doing
        if (errors.size < 8) errors.add(`${command}: ${(err as Error).message}`);
      }
      ops++;
    }
  });
  const phase = async () => {
    const target = ops + options.opsPerPhase;
    await vi.waitFor(() => expect(ops).toBeGreaterThanOrEqual(target), { timeout: 60_000, interval: 20 });
  };
  const add = async (extra: DeepPartial<Config> = {}): Promise<GokvNode> => {
    const node = await cluster.add({ ...overrides, ...extra });
    clientOf.set(node, cluster.clients.at(-1)!);
    return node;
  };
  const notes: string[] = [];
  let report: CopiesReport | undefined;
  try {
    await phase();
    await add();
    await waitForConvergence(live(), 4, 30_000);
    await phase();
    const leaver = cluster.nodes[2]!;
    down.add(leaver);
    await leaver.stop({ leave: true });
    await waitForConvergence(live(), 3, 30_000);
    notes.push(`${leaver.id} left`);
    await phase();
    await add();
    await waitForConvergence(live(), 4, 30_000);
    await phase();
    // node2 stopped abruptly (no leave, no hand-off), held dead, then restarted empty under its id.
    const crashed = cluster.nodes[1]!;
    down.add(crashed);
    await crashed.stop({ leave: false });
    if (!options.quickRestart) {
      await waitUntilOut(live(), [crashed.id]);
      await phase();
    }
    const config = testConfig({
      ...overrides,
      node: { id: crashed.id },
      addresses: { seeds: [{ id: cluster.nodes[0]!.id, addr: cluster.nodes[0]!.addresses.internal! }] },
    });
    const restarted = await startNode(config, { log: silentLogger() });
    const client = new TestClient(restarted.addresses.grpc!);
    extraClients.push(client);
    cluster.nodes.push(restarted);
    clientOf.set(restarted, client);
    await waitForConvergence(live(), 4, 30_000);
    notes.push(`${crashed.id} crashed and restarted`);
    await phase();
  } finally {
    running = false;
    await Promise.all(workers);
  }
  try {
    const final = live();
    await waitForQuiet(final);
    const vNodeCount = DEFAULT_CONFIG.cluster.vNodeCount;
    // Expiries due now are collected lazily or by the active cycle; give copies a little time.
    let first: CopiesReport | undefined;
    try {
      await vi.waitFor(
        async () => {
          report = await compareCopies(final, keys, { replicas: options.replicas, vNodeCount });
          first ??= report;
          if (report.divergent.length + report.missingOnReplica.length + report.leftBehind.length > 0) throw new Error('copies differ');
        },
        { timeout: 10_000, interval: 250 },
      );
    } catch {
      // The caller asserts on the report.
    }
    console.log(
      `[faults] copies seed ${options.seed} replicas ${options.replicas} ttl ${options.ttlMs ?? 1_000}${options.quickRestart ? ' quick restart' : ''}${options.maxMemoryBytes ? ` max_memory ${options.maxMemoryBytes}` : ''}: ops ${ops} (failed ${failed}); ${notes.join('; ')}; ` +
        `keys ${report!.keys} (live ${report!.live}), divergent ${report!.divergent.length}, missing on a replica ${report!.missingOnReplica.length}, left behind ${report!.leftBehind.length} ` +
        `(at first look once quiet: ${first!.divergent.length} and ${first!.leftBehind.length}); evicted ${final.reduce((s, n) => s + n.store.counters.evictedKeys, 0)}`,
    );
    if (errors.size > 0) console.log(`[faults] copies: errors ${[...errors].join(' | ')}`);
    return report!;
  } finally {
    for (const c of extraClients) c.close();
    await cluster.stop();
  }
}
