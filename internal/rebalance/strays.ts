import { unavailable } from '../errors/index.js';
import type { Ring } from '../ring/index.js';
import type { BinStr, Store } from '../store/index.js';
import type { HandOffState, RebalanceSink } from './sink.js';
import { mergeStatesInTurns } from './states.js';

// Stray keys: copies merged here that this node's own ring does not place here. Members see a
// membership change one by one, as gossip spreads it, so a sender's ring and a receiver's may
// differ: a member leaving before it heard of a join hands a key to the owner in ITS ring, and a
// leader that has not heard of a join replicates to a member that has already handed that arc
// away. No plan from a ring the receiver held moves such a copy, and the key's real owner does
// not know to pull it from there (found by ring-views.test.ts; docs/consistency.md).

export interface StrayDeps {
  readonly store: Store;
  readonly selfId: string;
  /** This node's current ring. */
  readonly ring: () => Ring;
  /** A key's ring position. */
  readonly position: (key: BinStr) => number;
  readonly sink: Pick<RebalanceSink, 'relay'>;
  /** Rebalancer.noteStrays: the next hand-off run drops the copies here once their owners hold them. */
  readonly noteStrays: (positions: readonly number[]) => void;
  /** Yields to the event loop between the parts of a large key being built (mergeStatesInTurns). */
  readonly pause: () => Promise<void>;
}

export interface StrayOptions {
  /** `cluster.replicas`. */
  readonly replicas: number;
  /** A relay's deadline (messaging.message_timeout). */
  readonly relayTimeoutMs: number;
}

/**
 * Whether no key can be a stray at `self`: it is alone or out of the ring (a node that has not
 * joined, or is leaving, has nothing to compare with), or every list holds every member (a
 * replica of every key: then nothing is hashed, on the replication path either).
 */
function ownsAll(ring: Ring, self: string, replicas: number): boolean {
  return ring.size <= 1 || !ring.has(self) || ring.size <= replicas + 1;
}

/** Ring positions of `keys` that `self` does not own in `ring` (none where ownsAll). */
export function strayPositions(ring: Ring, self: string, replicas: number, keys: Iterable<BinStr>, position: (key: BinStr) => number): number[] {
  if (ownsAll(ring, self, replicas)) return [];
  const positions: number[] = [];
  for (const key of keys) {
    const p = position(key);
    if (ring.ownerRank(p, self, replicas + 1) < 0) positions.push(p);
  }
  return positions;
}

/**
 * The receiving side of a hand-off batch from `from`: merges the states by version, then passes
 * the stray ones (not owned here) to their owners in this node's ring before answering, unless
 * the batch is itself a relay. The sender forgets a key once this answer comes, and may exit (a
 * leave): passed on first, the key is at its owner by then, which may have pulled it only from
 * the sender. Throws UNAVAILABLE (the sender retries) when a relay fails, or when in this
 * node's ring nobody but the sender owns a key (the two rings differ; gossip makes them agree).
 * The copies merged here are noted as strays either way: dropped once their owners hold them.
 */
export async function receiveHandOff(
  deps: StrayDeps,
  options: StrayOptions,
  from: string,
  states: readonly HandOffState[],
  relayed: boolean,
): Promise<{ applied: number }> {
  const merged = await mergeStatesInTurns(deps.store, states, deps.pause);
  const ring = deps.ring();
  const n = options.replicas + 1;
  if (ownsAll(ring, deps.selfId, options.replicas)) return merged;
  const byTarget = new Map<string, HandOffState[]>();
  const positions: number[] = [];
  const orphans: BinStr[] = [];
  for (const state of states) {
    const p = deps.position(state.key);
    if (ring.ownerRank(p, deps.selfId, n) >= 0) continue;
    positions.push(p);
    if (relayed) continue;
    const targets = ring.owners(p, n).filter((id) => id !== from);
    if (targets.length === 0) orphans.push(state.key);
    for (const target of targets) {
      const list = byTarget.get(target) ?? [];
      list.push(state);
      byTarget.set(target, list);
    }
  }
  if (positions.length === 0) return merged;
  deps.noteStrays(positions);
  if (orphans.length > 0) {
    throw unavailable(`${deps.selfId} does not own ${orphans.length} of these keys and sees only ${from} owning them: refused until the two views of the ring agree; retry`);
  }
  const relays = await Promise.allSettled([...byTarget].map(([target, list]) => deps.sink.relay(target, list, options.relayTimeoutMs)));
  const failed = relays.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    const reason = (relays[failed] as PromiseRejectedResult).reason as Error;
    throw unavailable(`${deps.selfId} could not pass keys it does not own on to ${[...byTarget.keys()][failed]} (${reason?.message ?? reason}); retry`);
  }
  return merged;
}
