import { asciiUpper, type Reply, OK, type BinStr } from '../command/index.js';
import { GokvError, syntaxError, unavailable, wrongArity } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { RING_END } from '../store/index.js';
import { decodeReply } from '../wire/index.js';
import type { ClusterView, Forwarder } from './cluster-view.js';
import type { RoutedCommand } from './router.js';

const NAMES = new Map([
  ['DBSIZE', 'DBSIZE'],
  ['dbsize', 'DBSIZE'],
  ['FLUSHALL', 'FLUSHALL'],
  ['flushall', 'FLUSHALL'],
  ['FLUSHDB', 'FLUSHALL'], // one database: FLUSHDB is FLUSHALL
  ['flushdb', 'FLUSHALL'],
]);

/** Keys deleted per event-loop turn by a flush: bounded work per tick (DESIGN principle 4). */
const FLUSH_CHUNK_KEYS = 1000;

/**
 * How long one forwarded FLUSHALL part deletes before it answers with where it stopped. A whole
 * flush of a large store takes longer than messaging.message_timeout (120k keys took 2-3 s on a
 * busy node): sent as one part, it timed out and FLUSHALL failed though every node flushed.
 */
const DEFAULT_PART_BUDGET_MS = 250;

export interface ClusterWideDeps {
  readonly store: Store;
  readonly view: () => ClusterView;
  readonly forwarder: Forwarder;
  /** Yields to the event loop between flush chunks (setImmediate in production). */
  readonly yieldTurn?: () => Promise<void>;
  /** Wall time one forwarded FLUSHALL part may run before it answers its cursor (ms). */
  readonly partBudgetMs?: number;
  /** Milliseconds for partBudgetMs (performance.now in production). */
  readonly now?: () => number;
}

/**
 * DBSIZE and FLUSHALL for the whole cluster, through the existing Forward stream (no new RPC).
 *
 * A client's command (hops = 0) makes the node that received it the coordinator: it sends the
 * same command name with hops = 1 to every member of its ring and runs its own part locally. A
 * command with hops >= 1 is such a part (clients cannot send one):
 * - `DBSIZE from1 to1 from2 to2 ...` counts this node's keys in those ring arcs: the arcs the
 *   coordinator's ring says the member leads. One ring partitions the hash space, so a key is
 *   counted once even while views differ; replicas' copies are never counted. Answers
 *   [keys, keys with a TTL, their mean remaining TTL in ms].
 * - `FLUSHALL [cursor]` deletes every key this node holds (leader and replica copies) from ring
 *   position `cursor` (0 when absent) on, in chunks with a yield between them, leaving tombstones
 *   so no stale copy comes back. Answers OK when done, or [next cursor] once it has run for
 *   partBudgetMs: the coordinator then sends the next part, so no part outlives the forward
 *   timeout however large the store. (A node of an older version ignores the cursor and
 *   flushes everything in one part.)
 * A member that cannot be reached fails the command (UNAVAILABLE; both are safe to retry).
 */
export class ClusterWide {
  private readonly yieldTurn: () => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly deps: ClusterWideDeps) {
    this.yieldTurn = deps.yieldTurn ?? (() => new Promise((resolve) => setImmediate(resolve)));
    this.now = deps.now ?? (() => performance.now());
  }

  /** A reply for DBSIZE / FLUSHALL / FLUSHDB, or undefined for any other command. */
  handle(command: RoutedCommand, hops: number): Reply | Promise<Reply> | undefined {
    const name = NAMES.get(command.name) ?? NAMES.get(asciiUpper(command.name));
    if (name === undefined) return undefined;
    if (name === 'DBSIZE') return hops > 0 ? this.countLocal(command.args) : this.dbsize(command);
    return hops > 0 ? this.flushPart(command) : this.flushAll(command);
  }

  /**
   * DBSIZE (keys) or gokv's `DBSIZE WITHEXPIRES`: [keys, keys with a TTL, their mean remaining
   * TTL in ms] (INFO keyspace's keys, expires and avg_ttl). Each member measures the TTLs left on
   * its own clock, so no two clocks are compared.
   */
  private async dbsize(command: RoutedCommand): Promise<Reply> {
    const withExpires = asciiUpper(command.key) === 'WITHEXPIRES';
    if ((command.key !== '' && !withExpires) || command.args.length > 0) throw wrongArity('dbsize');
    const view = this.joinedView();
    const parts = await this.everyMember(view, 'DBSIZE', (member) => {
      const arcs = view.ring.ownedRanges(member).flatMap(([from, to]) => [String(from), String(to)]);
      return member === view.selfId ? this.countLocal(arcs) : this.forwardPart(member, 'DBSIZE', arcs);
    });
    let keys = 0;
    let expires = 0;
    let ttlSumMs = 0;
    let timedKeys = 0;
    for (const part of parts) {
      const [k, e, meanTtlMs] = part as [number, number, number?];
      keys += k;
      expires += e;
      // A member of an older version answers without its mean: the mean is over the others.
      if (meanTtlMs !== undefined) {
        ttlSumMs += meanTtlMs * e;
        timedKeys += e;
      }
    }
    // Rounded, as each member's mean is (to the ms); never negative, though keys past their
    // expiry and not collected yet count below zero.
    const avgTtlMs = timedKeys > 0 ? Math.max(0, Math.round(ttlSumMs / timedKeys)) : 0;
    return withExpires ? [keys, expires, avgTtlMs] : keys;
  }

  private async flushAll(command: RoutedCommand): Promise<Reply> {
    const option = asciiUpper(command.key);
    if (command.args.length > 0 || (option !== '' && option !== 'SYNC' && option !== 'ASYNC')) throw syntaxError();
    const view = this.joinedView();
    const flushMember = (member: string) => (member === view.selfId ? this.flushLocal(0, Infinity).then(() => OK) : this.flushRemote(member));
    await Promise.all([this.everyMember(view, 'FLUSHALL', flushMember), this.flushLeftMembers(view)]);
    return OK;
  }

  /** Sends a member FLUSHALL parts, each resuming where the last stopped, until one answers OK. */
  private async flushRemote(member: string): Promise<Reply> {
    let cursor = 0;
    for (;;) {
      const reply = await this.forwardPart(member, 'FLUSHALL', cursor === 0 ? [] : [String(cursor)]);
      if (!Array.isArray(reply)) return reply;
      const next = reply[0];
      // A cursor that does not move on would loop for ever: a member answering nonsense.
      if (reply.length !== 1 || typeof next !== 'number' || next <= cursor || next > RING_END) {
        throw new GokvError('INTERNAL', `INTERNAL ${member} answered a FLUSHALL part with a bad cursor`);
      }
      cursor = next;
    }
  }

  /** A forwarded part's reply: cursor for a FLUSHALL part still running. */
  private async flushPart(command: RoutedCommand): Promise<Reply> {
    if (command.args.length > 1) throw syntaxError();
    const from = command.args.length === 0 ? 0 : Number(command.args[0]);
    if (!Number.isSafeInteger(from) || from < 0 || from > RING_END) throw syntaxError();
    const next = await this.flushLocal(from, this.deps.partBudgetMs ?? DEFAULT_PART_BUDGET_MS);
    return next >= RING_END ? OK : [next];
  }

  /**
   * A member that left may still hold keys it is handing off: unflushed, they would come back
   * by a pull or the hand-off. One that is gone holds nothing, so its failure is not an error.
   */
  private async flushLeftMembers(view: ClusterView): Promise<void> {
    const left = view.leftMembers ?? [];
    await Promise.allSettled(left.map((member) => this.flushRemote(member)));
  }

  /** A node still joining knows too few members to reach them all: refuse, as routed commands do. */
  private joinedView(): ClusterView {
    const view = this.deps.view();
    if (!view.joined()) throw unavailable('this node is still joining the cluster; retry');
    return view;
  }

  /** Runs the command's part on every ring member (here for self), concurrently. */
  private async everyMember(view: ClusterView, name: string, run: (member: string) => Reply | Promise<Reply>): Promise<Reply[]> {
    const members = view.ring.members.length > 0 ? view.ring.members : [view.selfId];
    const settled = await Promise.allSettled(members.map(async (member): Promise<Reply> => run(member)));
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [members[i]!] : []));
    if (failed.length > 0) {
      const done = members.length - failed.length;
      // The first member's reason, so the client (and the operator) can tell a timeout from a refusal.
      const first = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')!;
      throw unavailable(`${name} reached ${done} of ${members.length} nodes (not ${failed.join(', ')}: ${reasonOf(first.reason)}); retry`);
    }
    return settled.map((s) => (s as PromiseFulfilledResult<Reply>).value);
  }

  private async forwardPart(member: string, name: string, args: BinStr[]): Promise<Reply> {
    const bytes = await this.deps.forwarder.forward(member, { name, key: '', args, hops: 1, replicaRead: false });
    return fromMsgpack(decodeReply(bytes));
  }

  /**
   * One member's part: [keys, keys with a TTL, their mean remaining TTL in whole ms] in its arcs.
   * The mean, not the sum: a sum of millions of TTLs may pass 2^53, which a reply cannot carry.
   */
  private countLocal(arcs: readonly BinStr[]): Reply {
    let keys = 0;
    let expires = 0;
    let ttlSumMs = 0;
    for (let i = 0; i + 1 < arcs.length; i += 2) {
      const c = this.deps.store.countKeysIn(Number(arcs[i]), Number(arcs[i + 1]));
      keys += c.keys;
      expires += c.expires;
      ttlSumMs += c.ttlSumMs;
    }
    return [keys, expires, expires > 0 ? Math.round(ttlSumMs / expires) : 0];
  }

  /**
   * Deletes every key held here from ring position `from` on, a chunk per event-loop turn, for
   * up to `budgetMs`; keys written meanwhile may stay. Returns where it stopped (RING_END: done).
   */
  private async flushLocal(from: number, budgetMs: number): Promise<number> {
    const { store } = this.deps;
    const started = this.now();
    let pos = from;
    while (pos < RING_END) {
      const page = store.scan(pos, RING_END, FLUSH_CHUNK_KEYS);
      for (const key of page.keys) store.delete(key);
      pos = page.next;
      if (pos >= RING_END || this.now() - started >= budgetMs) break;
      await this.yieldTurn();
    }
    return pos;
  }
}

/** A failure's message without its code word, bounded: it is repeated inside another error. */
function reasonOf(reason: unknown): string {
  const text = reason instanceof Error ? reason.message : String(reason);
  const bare = text.replace(/^[A-Z_]+ /, '');
  return bare.length > 200 ? `${bare.slice(0, 200)}...` : bare;
}

function fromMsgpack(decoded: unknown): Reply {
  if (Array.isArray(decoded) && decoded.every((n) => typeof n === 'number')) return decoded as number[];
  if (decoded === 'OK') return OK;
  throw new GokvError('INTERNAL', 'INTERNAL unexpected reply to a cluster-wide command part');
}
