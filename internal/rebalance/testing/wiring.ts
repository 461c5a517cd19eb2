// Test helper: a node's receiving side as node/hand-off-wiring.ts builds it, for the property
// simulations. Not built.
import { unavailable } from '../../errors/index.js';
import { silentLogger } from '../../log/index.js';
import { readableHash } from '../../store/testing/fixtures.js';
import { Arrivals } from '../arrivals.js';
import { answerFetch, answerRange, Departures } from '../departures.js';
import { missingKeys } from '../states.js';
import { receiveHandOff } from '../strays.js';
import type { TestCluster } from './fixtures.js';

export interface ReceivingSideOptions {
  readonly replicas: number;
  /** rebalance.pull_window, and the moved-key markers' lifetime. */
  readonly windowMs: number;
  /** Whether the node is leaving: it refuses hand-offs (hand-off-wiring.ts leave). */
  readonly leaving: () => boolean;
  /** Throws to refuse a pull from `from` (hand-off-wiring.ts fetchKeys: a member held left). */
  readonly checkFetch?: (from: string) => void;
}

/**
 * Wires node `id` of `cluster` into its network as hand-off-wiring.ts wires a node: hand-offs
 * merged and strays passed on (receiveHandOff), confirms, `done`, and pulls answered (chained).
 */
export function wireReceivingSide(cluster: TestCluster, id: string, options: ReceivingSideOptions): { arrivals: Arrivals; departures: Departures } {
  const { store } = cluster.node(id);
  const { clock, network } = cluster;
  const arrivals = new Arrivals(
    { store, selfId: id, sink: network.sinkFor(id), clock, log: silentLogger(), position: readableHash },
    { replicas: options.replicas, windowMs: options.windowMs },
  );
  const departures = new Departures({ store, clock }, { markerTtlMs: options.windowMs });
  const refuseIfLeaving = (): void => {
    if (options.leaving()) throw unavailable(`${id} is leaving: hand-off refused`);
  };
  network.add(id, {
    receiveBatch: (states, from, relayed) => {
      refuseIfLeaving();
      return receiveHandOff(cluster.strayDeps(id), { replicas: options.replicas, relayTimeoutMs: 1_000 }, from, states, relayed);
    },
    receiveConfirm: (digests, from) => {
      refuseIfLeaving();
      const missing = missingKeys(store, digests);
      return { missing, arriving: missing.filter((k) => arrivals.expectsFromOther(readableHash(k), from)) };
    },
  });
  network.onDone(id, (from, arcs) => {
    refuseIfLeaving();
    arrivals.handed(from, arcs);
  });
  network.serve(id, {
    fetch: (from, keys, chain) => {
      options.checkFetch?.(from);
      return answerFetch(arrivals, departures, from, keys, chain);
    },
    scan: (_f, to) => ({ keys: [], next: to }),
    // Answered whatever `checkFetch` says of a pull: hand-off-wiring.ts refuses a range fetch only
    // from a member held dead, and the simulations hold nobody dead.
    fetchRange: (from, forId, fromPos, toPos) => answerRange(arrivals, departures, readableHash, from, forId, { from: fromPos, to: toPos }),
  });
  cluster.node(id).arriving = (from, to, target) => arrivals.stillArriving(from, to, target);
  return { arrivals, departures };
}

/**
 * A simulation's 'down' or 'up' step: node `id` is cut off (its calls time out, as in a
 * partition; an exited node's fail at once instead) or back. Nothing for a node not running.
 */
export function cutOrHeal(cluster: TestCluster, down: Set<string>, exited: ReadonlySet<string>, kind: 'down' | 'up', id: string): void {
  if (kind === 'down') {
    if (!cluster.nodes.has(id) || exited.has(id)) return;
    down.add(id);
    cluster.network.cut(id);
  } else if (down.delete(id)) cluster.network.heal(id);
}
