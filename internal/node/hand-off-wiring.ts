import type { Clock, TimerHandle } from '../clock/index.js';
import { executeCommand, ScanReply } from '../command/index.js';
import type { Config } from '../config/index.js';
import { unavailable } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { Gossiper, MemberChange } from '../membership/index.js';
import { answerFetch, answerRange, answerScan, Arrivals, Departures, missingKeys, nothingToHand, Rebalancer, receiveHandOff, strayPositions, type RangeKeys, type RebalanceProgress, type RebalanceSink } from '../rebalance/index.js';
import { Ring, type Hasher } from '../ring/index.js';
import type { HandOffGate } from '../router/index.js';
import type { InternalService } from '../server/index.js';
import { maxKeyBytes, type BinStr, type Store } from '../store/index.js';

/** How often expired moved-key markers are dropped (a bounded chunk each time). */
const PRUNE_INTERVAL_MS = 10_000;

export interface HandOffDeps {
  readonly selfId: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly hasher: Hasher;
  readonly sink: RebalanceSink;
  readonly gossiper: Gossiper | undefined;
  /** The node's current ring. */
  readonly ring: () => Ring;
}

/** Hand-off figures for status, metrics and the dashboard. */
export interface HandOffStatus {
  readonly running: boolean;
  readonly keysSent: number;
  readonly bytesSent: number;
  readonly keysDropped: number;
  readonly arcsPending: number;
  readonly keysPlanned: number;
  readonly keysPending: number;
  /** keysPlanned and keysPending times the store's mean bytes per key. */
  readonly bytesPlanned: number;
  readonly bytesPending: number;
  readonly arcsArriving: number;
  readonly pulls: number;
  readonly startedAtMs: number;
}

/** What node/ sees of rebalancing: the router's gate, the internal handlers, events, leave. */
export interface HandOff {
  readonly gate: HandOffGate;
  readonly internal: Pick<InternalService, 'rebalance' | 'fetchKeys' | 'scanRange' | 'fetchRange'>;
  /** Every ring change, in order. */
  onRingChange(before: Ring, after: Ring): void;
  /** Every batch of member changes (after the ring was rebuilt from them). */
  onMemberChanges(changes: readonly MemberChange[]): void;
  /** Back from being cut off, its peers now see this node: every key it owns is pulled again from them. */
  rejoined(): void;
  /**
   * Keys another member wrote here (replication): those this node does not own in its ring (the
   * leader's view was older or newer) are handed to their owners by the next hand-off run.
   */
  merged(keys: Iterable<BinStr>): void;
  /**
   * Graceful leave: refuses hand-offs from then on and hands every key to its owners in the ring
   * without this node (unless rebalance.leave_timeout is 0); false on timeout.
   */
  leave(): Promise<boolean>;
  progress(): RebalanceProgress & { pendingArcs: number; pulls: number; movedMarkers: number };
  /** The figures status, Healthcheck and metrics show. */
  status(): HandOffStatus;
  stop(): void;
}

/** The keys this store holds in ring positions [from, to) passing SCAN's options, complete below `next`. */
function scanLocal(store: Store, from: number, to: number, args: readonly BinStr[]): RangeKeys {
  const cursor = String(Math.max(0, Math.floor(from)));
  const reply = executeCommand(store, { name: 'SCAN', key: cursor, args }, { scanRange: { from, to } }).reply;
  if (!(reply instanceof ScanReply)) return { keys: [], next: to };
  return { keys: [...reply.keys], next: reply.cursor === '0' ? to : Number(reply.cursor) };
}

/**
 * Builds the hand-off side of a node (DESIGN.md section 8): the Rebalancer that sends keys after
 * ring changes, Arrivals (pull-on-miss for arcs this node gained) and Departures (answers pulls
 * and forwards pulled keys' commands to their new owner).
 */
export function createHandOff(deps: HandOffDeps, config: Config): HandOff {
  const { selfId, store, clock, gossiper, hasher } = deps;
  const log = deps.log.child({ component: 'rebalance' });
  const replicas = config.cluster.replicas;
  const ringWithout = (ring: Ring, id: string): Ring =>
    Ring.fromMembers(
      ring.members.filter((m) => m !== id),
      config.cluster.vNodeCount,
      hasher.textPosition,
    );
  const statusOf = (id: string) => gossiper?.member(id)?.status;
  // Peers count silence from our last heartbeat they saw, up to about a round before a stall
  // began: a stall this long may have made them declare us dead. A shorter one (a GC pause)
  // only fences writes for a round (cluster-state.ts) and needs no re-join.
  const { deadAfterMs, heartbeatIntervalMs } = config.messaging;
  const mayBeHeldDeadAfterMs = Math.max(config.messaging.suspectAfterMs, deadAfterMs - 2 * heartbeatIntervalMs);

  const rebalancer = new Rebalancer(
    // The Rebalancer names its own component, as the gossiper does; `log` already carries it.
    {
      store,
      clock,
      sink: deps.sink,
      log: deps.log,
      ringNow: deps.ring,
      selfId,
      alive: (id) => statusOf(id) === 'alive',
      // Arrivals is built below; a run starts after the debounce, never while this one runs.
      arriving: (from, to, target) => arrivals.stillArriving(from, to, target),
    },
    {
      debounceMs: config.rebalance.rebalanceDebounceMs,
      batchBytes: config.rebalance.batchBytes,
      replicas,
      ackTimeoutMs: config.messaging.messageTimeoutMs,
      leaveTimeoutMs: config.rebalance.leaveTimeoutMs,
    },
  );
  const pause = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
  const arrivals = new Arrivals(
    { store, selfId, sink: deps.sink, clock, log, position: hasher.keyPosition, pause },
    // A pull's request and answer must each fit one message.
    { replicas, windowMs: config.rebalance.pullWindowMs, maxFetchBytes: maxKeyBytes(config.limits.maxMessageBytes) },
  );
  const departures = new Departures(
    { store, clock },
    // What does not fit one answer waits for the member's next ask.
    { markerTtlMs: config.rebalance.pullWindowMs, maxAnswerBytes: maxKeyBytes(config.limits.maxMessageBytes) },
  );

  const strayDeps = {
    store,
    selfId,
    ring: deps.ring,
    position: hasher.keyPosition,
    sink: deps.sink,
    noteStrays: (positions: readonly number[]) => rebalancer.noteStrays(positions),
    pause,
  };
  const strayOptions = { replicas, relayTimeoutMs: config.messaging.messageTimeoutMs };

  let pruneTimer: TimerHandle | undefined;
  /** Set when this node starts its graceful leave (see leave). */
  let leaving = false;
  const schedulePrune = (): void => {
    pruneTimer = clock.setTimeout(() => {
      departures.prune();
      schedulePrune();
    }, PRUNE_INTERVAL_MS);
  };
  schedulePrune();

  // A marker steers commands only while this node has not seen its member join (then the
  // ring decides) and the member is not known to be gone.
  const markerUsable = (member: string): boolean => {
    if (deps.ring().has(member)) return false;
    const status = statusOf(member);
    return status !== 'dead' && status !== 'left';
  };

  return {
    gate: {
      movedTo: (key) => departures.movedTo(key, markerUsable),
      ready: (key, position) => arrivals.ready(key, position),
      scanRemote: (from, to, args) => arrivals.scanRemote(from, to, args),
    },
    internal: {
      async rebalance(fromNodeId, message) {
        if (leaving) throw unavailable(`${selfId} is leaving: hand-off refused; retry with the ring without it`);
        // A sender with another view of the ring may hand keys this node does not own in its own.
        const { applied } = await receiveHandOff(strayDeps, strayOptions, fromNodeId, message.states, message.relayed);
        // A large key is built over several turns before it is merged (mergeStatesInTurns): a
        // leave begun meanwhile may have walked its arc already. Unacknowledged, the sender keeps
        // its copy and retries, as when refused above.
        if (leaving) throw unavailable(`${selfId} began leaving during this hand-off: refused; retry with the ring without it`);
        const missing = message.confirm.length > 0 ? missingKeys(store, message.confirm) : [];
        const arriving = missing.filter((key) => arrivals.expectsFromOther(hasher.keyPosition(key), fromNodeId));
        if (message.done.length > 0) arrivals.handed(fromNodeId, message.done);
        return { applied, missing, arriving };
      },
      fetchKeys(fromNodeId, keys, chain) {
        // A member held dead or left here may come back with a stale view (a pause, a healed
        // partition): it may pull only once this node sees it alive again, so that this node
        // forwards the keys it hands over instead of applying their writes itself.
        const status = statusOf(fromNodeId);
        if (status === 'dead' || status === 'left') {
          throw unavailable(`${selfId} still holds ${fromNodeId} ${status}: pull refused until it is seen alive; retry`);
        }
        // A key still arriving here is fetched from this node's own previous owners first (a
        // chained pull): answered from this store alone, the asker would start it without them.
        return answerFetch(arrivals, departures, fromNodeId, keys, chain);
      },
      fetchRange(fromNodeId, forNodeId, from, to) {
        // A member held dead here may come back with a stale view: refused until seen alive, as
        // its pulls are. A member leaving is answered: it collects what it still had to receive
        // before it reports its arcs to their new owners, and the keys are marked moved to those.
        if (statusOf(fromNodeId) === 'dead') {
          throw unavailable(`${selfId} still holds ${fromNodeId} dead: range fetch refused until it is seen alive; retry`);
        }
        return answerRange(arrivals, departures, hasher.keyPosition, fromNodeId, forNodeId, { from, to });
      },
      scanRange(from, to, args, fromNodeId, chain) {
        // A range still arriving here is listed at its own previous owners too (a chained scan):
        // from this store alone, the asker's SCAN would miss a key not yet handed here.
        const local = (f: number, t: number) => scanLocal(store, f, t, args);
        return answerScan(arrivals, local, hasher.keyPosition, fromNodeId, { from, to, args }, chain);
      },
    },
    onRingChange(before, after) {
      rebalancer.onRingChange(before, after);
      // A node that was alone (just started, or restarted empty) holds nothing the others
      // hold: everything it owns in the new ring is still to arrive from them.
      const alone = before.members.length <= 1 && after.members.length > 1;
      arrivals.onRingChange(alone ? ringWithout(after, selfId) : before, after);
    },
    onMemberChanges(changes) {
      for (const c of changes) {
        // Held dead (or left) by the others, or stalled long enough to have been: they may have
        // moved its keys and written them since, so its copies may be stale. As after a restart,
        // every key it owns is pulled from the others (merged by version) before it serves it.
        const heldDead = c.kind === 'refuted' && c.id === selfId && (c.claimed === 'dead' || c.claimed === 'left');
        if (heldDead || (c.kind === 'stalled' && c.id === selfId && c.stallMs >= mayBeHeldDeadAfterMs)) {
          log.warn({ change: c }, 'possibly held dead by peers: pulling owned keys before serving them');
          const ring = deps.ring();
          if (ring.size > 1) arrivals.onRingChange(ringWithout(ring, selfId), ring);
        }
        // Dead is not gone: across a partition a member held dead still holds its keys.
        if (c.kind === 'statusChanged' && c.to === 'dead') arrivals.memberDead(c.id);
        else if (c.kind === 'statusChanged' && c.to !== 'left') arrivals.memberAlive(c.id);
        if (c.kind === 'statusChanged' && c.to === 'left') arrivals.memberLeft(c.id);
        if (c.kind === 'forgotten') arrivals.memberForgotten(c.id);
        // "A new incarnation is a leave plus a join": a peer that restarted came back empty.
        if (c.kind === 'incarnationChanged' && c.heartbeatReset && c.id !== selfId && deps.ring().has(c.id)) {
          log.info({ peer: c.id }, 'peer restarted: handing its keys to it again');
          arrivals.memberRestarted(c.id);
          rebalancer.memberRestarted(ringWithout(deps.ring(), c.id), c.id);
        }
      }
    },
    merged(keys) {
      rebalancer.noteStrays(strayPositions(deps.ring(), selfId, replicas, keys, hasher.keyPosition));
    },
    rejoined() {
      const ring = deps.ring();
      log.info({ members: ring.members }, 'rejoined: pulling each owned key once more from its other owners before serving it');
      if (ring.size > 1) arrivals.regained(ring);
    },
    leave: async () => {
      // From here on, hand-offs to this node are refused: one merged after its own walk passed
      // the key's arc would stay here when it exits (senders retry, then plan without it).
      leaving = true;
      // Tombstones count: a deletion made here must reach the keys' next owners, or a copy one of
      // them still holds (a sender whose ack came late, a member back from a partition) comes back.
      // So do arcs still arriving: holding nothing, this node still collects them from their
      // previous owners for the arcs' next owners before it reports them (collectArriving).
      if (config.rebalance.leaveTimeoutMs <= 0 || (nothingToHand(store) && !arrivals.arriving)) return true;
      return rebalancer.handOffAll(() => ringWithout(deps.ring(), selfId), config.rebalance.leaveTimeoutMs);
    },
    progress: () => ({ ...rebalancer.progress(), ...arrivals.stats, movedMarkers: departures.markers }),
    status() {
      const p = rebalancer.progress();
      const keysPending = p.running ? Math.max(0, p.keysPlanned - p.keysDone) : 0;
      const meanBytes = store.size > 0 ? store.keysMemory / store.size : 0;
      return {
        running: p.running,
        keysSent: p.keysSent,
        bytesSent: p.bytesSent,
        keysDropped: p.keysDropped,
        arcsPending: p.running ? p.arcsPending : 0,
        keysPlanned: p.keysPlanned,
        keysPending,
        bytesPlanned: Math.round(p.keysPlanned * meanBytes),
        bytesPending: Math.round(keysPending * meanBytes),
        arcsArriving: arrivals.stats.pendingArcs,
        pulls: arrivals.stats.pulls,
        startedAtMs: p.startedAtMs,
      };
    },
    stop() {
      rebalancer.stop();
      if (pruneTimer !== undefined) clock.clearTimeout(pruneTimer);
    },
  };
}
