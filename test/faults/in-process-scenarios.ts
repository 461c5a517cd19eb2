import { expect, vi } from 'vitest';
import type { Config, DeepPartial } from '../../internal/config/index.js';
import type { GokvNode } from '../../internal/node/index.js';
import { checkLedger } from '../helpers/checker.js';
import type { TestClient } from '../helpers/client.js';
import { FaultLinks } from '../helpers/fault-links.js';
import { startCluster, waitForConvergence, type InProcessCluster } from '../helpers/in-process-cluster.js';
import { Ledger, startReaders, startWriters } from '../helpers/ledger.js';
import { storeSource, waitForReplicas } from '../helpers/replicas.js';
import { expectClean, printFigures, progress, type Figures } from './figures.js';
import type { Scale } from './process-scenarios.js';

// Fault scenarios on in-process nodes (real gRPC on loopback) whose node-to-node messages go
// through FaultLinks: loss, delay, duplication, partitions; and join/leave storms.

/** Failure detection a little slower than testConfig's, so a loaded machine raises no false alarms. */
export const TIMINGS: DeepPartial<Config> = {
  cluster: { replicas: 1 },
  messaging: { heartbeatIntervalMs: 100, suspectAfterMs: 600, deadAfterMs: 1_200, messageTimeoutMs: 1_000, forgetDeadAfterMs: 120_000 },
  rebalance: { rebalanceDebounceMs: 100 },
};

export interface Env {
  readonly cluster: InProcessCluster;
  readonly links: FaultLinks;
  readonly ledger: Ledger;
  /** Nodes stopped (out of the writers' entries and of the final checks). */
  readonly down: Set<GokvNode>;
  now(): number;
  phase(more?: number): Promise<void>;
  detected(): void;
  /** The fault is over and every live node has one view again. */
  recovered(): void;
  /** Lines to print with the figures. */
  notes: string[];
}

export interface Checked {
  figures: Figures;
  /** Acknowledged writes the checker found missing (assert on them yourself with `allowLoss`). */
  lost: string[];
  /** Items present twice, or popped twice (likewise). */
  duplicated: string[];
}

/**
 * Starts `nodes` in-process nodes wired to one FaultLinks, runs writers and readers through
 * every node up, applies `fault`, then checks the history, one view, and replicas + 1
 * identical copies. With `allowLoss`, lost writes are returned to the caller instead of failing.
 */
export async function runInProcessScenario(
  name: string,
  scale: Scale,
  fault: (env: Env) => Promise<void>,
  options: { nodes?: number; overrides?: DeepPartial<Config>; allowLoss?: boolean } = {},
): Promise<Checked> {
  const links = new FaultLinks(Number(process.env.FAULT_SEED ?? 42));
  const overrides = { ...TIMINGS, ...options.overrides, cluster: { ...TIMINGS.cluster, ...options.overrides?.cluster } };
  const cluster = await startCluster(options.nodes ?? 3, overrides, { deps: (id) => ({ faults: links.forNode(id) }) });
  links.learn(cluster.nodes);
  const ledger = new Ledger();
  const down = new Set<GokvNode>();
  const entries = (): TestClient[] => cluster.clients.filter((_, i) => !down.has(cluster.nodes[i]!));
  const writers = startWriters(entries, ledger, { writers: 4, hashKeys: 25, prefix: 'p', deletes: true, pops: true });
  const readers = startReaders(entries, ledger, 2);
  let t0 = 0;
  let detectMs: number | undefined;
  let recoverMs: number | undefined;
  let stoppedAt = 0;
  const notes: string[] = [];
  try {
    try {
      await progress(writers, scale.writes);
      t0 = ledger.history.now();
      await fault({
        cluster,
        links,
        ledger,
        down,
        notes,
        now: () => ledger.history.now(),
        phase: (more = scale.writes) => progress(writers, more),
        detected: () => (detectMs = ledger.history.now() - t0),
        recovered: () => (recoverMs = ledger.history.now() - t0),
      });
      await progress(writers, scale.writes);
    } finally {
      await Promise.all([writers.stop(), readers.stop()]);
      stoppedAt = ledger.history.now();
    }
    links.heal();
    links.setNoise({});
    const live = cluster.nodes.filter((n) => !down.has(n));
    await waitForConvergence(live, live.length, 30_000);
    const copies = Math.min(1 + (overrides.cluster?.replicas ?? 1), live.length);
    const keys = [...new Set(ledger.history.ops.map((op) => op.key))];
    const replicas = await waitForReplicas(live.map(storeSource), keys, copies, 30_000);
    const convergedMs = ledger.history.now() - stoppedAt;
    const report = await checkLedger(cluster.clients[cluster.nodes.indexOf(live[0]!)]!, ledger);
    const failedAt = ledger.history.lastWriteFailureMs(t0);
    const figures: Figures = {
      scenario: name,
      acked: report.acked,
      unknown: report.unknown,
      lost: report.lost.length + report.duplicated.length,
      detectMs,
      writesOkMs: failedAt === undefined ? 0 : failedAt - t0,
      recoverMs,
      convergedMs,
      staleReads: report.staleReads,
      reads: report.reads,
    };
    printFigures(figures);
    for (const n of notes) console.log(`[faults] ${name}: ${n}`);
    if (options.allowLoss) {
      // The caller judges report.lost and report.duplicated (an item popped on both sides).
      expect(report.badReads).toEqual([]);
      expect(replicas.wrongCopies.slice(0, 5)).toEqual([]);
      expect(replicas.divergent.slice(0, 5)).toEqual([]);
    } else expectClean(report, replicas);
    return { figures, lost: report.lost, duplicated: report.duplicated };
  } finally {
    await cluster.stop();
  }
}

const ids = (nodes: readonly GokvNode[]) => nodes.map((n) => n.id);

/** Waits until every node in `observers` holds each member of `members` out of its ring. */
export async function waitUntilOut(observers: readonly GokvNode[], members: readonly string[], timeoutMs = 20_000): Promise<void> {
  await vi.waitFor(
    () => {
      for (const o of observers) {
        for (const m of members) {
          const s = o.members().find((x) => x.id === m)?.status;
          if (s === 'alive' || s === 'suspect') throw new Error(`${o.id} still has ${m} ${s}`);
        }
      }
    },
    { timeout: timeoutMs, interval: 25 },
  );
}

/** 2 % loss, up to 20 ms delay and 5 % duplication on every link, for two phases of writes. */
export async function lossyLinks(env: Env): Promise<void> {
  env.links.setNoise({ drop: 0.02, delayMs: 20, duplicate: 0.05 });
  env.detected();
  await env.phase();
  await env.phase();
  env.links.setNoise({});
  await waitForConvergence(env.cluster.nodes, env.cluster.nodes.length, 30_000);
  env.recovered();
  const s = env.links.stats;
  env.notes.push(`messages ${s.messages}: dropped ${s.dropped}, duplicated ${s.duplicated}, delayed ${s.delayed}`);
}

/**
 * node3 cut off from node1 and node2 (both ways) until each side holds the other dead, plus a
 * phase of writes; then healed. Writers keep using every node, the minority's too.
 */
export async function isolateOne(env: Env): Promise<{ fromMs: number; healedMs: number; toMs: number; minority: string }> {
  const [a, b, c] = env.cluster.nodes as [GokvNode, GokvNode, GokvNode];
  const fromMs = env.now();
  env.links.partition([c.id], [a.id, b.id]);
  await waitUntilOut([a, b], [c.id]);
  await waitUntilOut([c], [a.id, b.id]);
  env.detected();
  await env.phase();
  const healedMs = env.now();
  env.links.heal();
  await waitForConvergence(env.cluster.nodes, 3, 30_000);
  env.recovered();
  return { fromMs, healedMs, toMs: env.now(), minority: c.addresses.grpc! };
}

/** Three nodes join one after another under writes, then three (others) leave gracefully at once. */
export async function joinLeaveStorm(env: Env): Promise<void> {
  const { cluster } = env;
  for (let i = 0; i < 3; i++) await cluster.add(TIMINGS);
  env.links.learn(cluster.nodes);
  await waitForConvergence(cluster.nodes, 6, 30_000);
  env.detected();
  await env.phase();
  const leavers = [cluster.nodes[0]!, cluster.nodes[2]!, cluster.nodes[4]!];
  for (const n of leavers) env.down.add(n);
  await Promise.all(leavers.map((n) => n.stop({ leave: true })));
  await waitForConvergence(cluster.nodes.filter((n) => !env.down.has(n)), 3, 30_000);
  env.recovered();
  env.notes.push(`joined ${ids(cluster.nodes.slice(3)).join(', ')}; left ${ids(leavers).join(', ')}`);
}
