import { vi } from 'vitest';
import type { GokvNode } from '../../internal/node/index.js';
import { createHasher, Ring } from '../../internal/ring/index.js';
import type { KeyState } from '../../internal/store/index.js';

// Every key's copies, judged against the final ring: the leader's and its replicas' copies are
// equal (type, value, expiry, version; an expired key or a tombstone reads as missing) and no
// node outside the key's preference list holds a live copy (a key left behind by a hand-off).
// Reads each node's store directly, all in one synchronous pass, so no expiry falls between
// two nodes' reads.

export interface CopiesReport {
  keys: number;
  /** Keys live somewhere among their owners: `live`. */
  live: number;
  /** Owners' copies differ: `key: node=copy ...` (but for the case below). */
  divergent: string[];
  /**
   * The leader's live copy is missing on a replica, the other replicas agreeing with one or the
   * other: what a replica's own eviction leaves (docs/architecture.md: replicas evict their own
   * copies and tell nobody), so a divergence only where nothing is evicted.
   */
  missingOnReplica: string[];
  /** A live copy on a node that does not own the key: `key: on node (owners a,b)`. */
  leftBehind: string[];
}

/** A copy as it reads: '-' when missing, deleted or expired; else type, version, expiry, value. */
export function describeCopy(state: KeyState | undefined, nowMs: number): string {
  if (state === undefined || state.deleted === true) return '-';
  if (state.expireAtMs !== 0 && state.expireAtMs <= nowMs) return '-';
  let value = [...state.value];
  if (state.type === 'hash') {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < value.length; i += 2) pairs.push([value[i]!, value[i + 1]!]);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    value = pairs.flat();
  }
  return `${state.type}@${state.version} exp ${state.expireAtMs} ${JSON.stringify(value)}`;
}

/** What compareCopies reads of a node: its id and its store. */
export type CopyHolder = Pick<GokvNode, 'id' | 'store'>;

/**
 * Compares the copies `nodes` hold of `keys` (every node that may hold one: nodes stopped are
 * left out) against the ring of those nodes, as the router computes it. A copy expired at
 * `nowMs` (default: now) reads as missing.
 */
export async function compareCopies(
  nodes: readonly CopyHolder[],
  keys: readonly string[],
  options: { replicas: number; vNodeCount: number; nowMs?: number },
): Promise<CopiesReport> {
  const hasher = await createHasher();
  const ring = Ring.fromMembers(
    nodes.map((n) => n.id),
    options.vNodeCount,
    hasher.textPosition,
  );
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const report: CopiesReport = { keys: keys.length, live: 0, divergent: [], missingOnReplica: [], leftBehind: [] };
  const now = options.nowMs ?? Date.now();
  for (const key of keys) {
    const owners = ring.owners(hasher.keyPosition(key), 1 + options.replicas);
    const copies = owners.map((id) => `${id}=${describeCopy(byId.get(id)!.store.exportKey(key), now)}`);
    const values = new Set(copies.map((c) => c.slice(c.indexOf('=') + 1)));
    if (values.size > 1) {
      const leader = copies[0]!.slice(copies[0]!.indexOf('=') + 1);
      const onlyMissing = values.size === 2 && values.has('-') && leader !== '-';
      (onlyMissing ? report.missingOnReplica : report.divergent).push(`${key}: ${copies.join(' ')}`);
    }
    if (copies.some((c) => !c.endsWith('=-'))) report.live++;
    for (const n of nodes) {
      if (owners.includes(n.id)) continue;
      const copy = describeCopy(n.store.exportKey(key), now);
      if (copy !== '-') report.leftBehind.push(`${key}: on ${n.id} ${copy} (owners ${owners.join(',')})`);
    }
  }
  return report;
}

/**
 * Waits until the cluster is quiet: every node sees the same ring of `nodes`, none runs a
 * hand-off or waits for arcs to arrive, and no replication stream has ops queued or
 * unacknowledged (gokv_replication_lag_ops, as /metrics shows it).
 */
export async function waitForQuiet(nodes: readonly GokvNode[], timeoutMs = 30_000): Promise<void> {
  await vi.waitFor(
    async () => {
      const rings = new Set(nodes.map((n) => n.ringVersion()));
      if (rings.size !== 1) throw new Error(`${rings.size} ring versions`);
      for (const n of nodes) {
        const alive = n.members().filter((m) => m.status === 'alive' || m.status === 'suspect').length;
        if (alive !== nodes.length) throw new Error(`${n.id} sees ${alive} ring members`);
        const h = n.members()[0]!.handOff;
        if ((h?.keysPending ?? 0) > 0 || (h?.arcsArriving ?? 0) > 0) throw new Error(`${n.id}: hand-off pending or arcs arriving`);
        const metrics = await (await fetch(`http://${n.addresses.rest}/metrics`)).text();
        if (/^gokv_rebalance_ranges_pending [1-9]/m.test(metrics)) throw new Error(`${n.id}: hand-off ranges pending`);
        const lag = [...metrics.matchAll(/^gokv_replication_lag_ops\{[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
        if (lag > 0) throw new Error(`${n.id}: replication lag ${lag}`);
      }
    },
    { timeout: timeoutMs, interval: 100 },
  );
}
