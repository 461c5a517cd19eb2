import type { Clock, Random, TimerHandle } from '../clock/index.js';
import type { Logger } from '../log/index.js';
import { detectFailures, PauseGuard, scaleTimings } from './detector.js';
import { isInRing, type Member, type MemberChange, type MemberEntry, type SelfInfo } from './member.js';
import { MemberTable } from './member-table.js';
import { resolveGossiperOptions, type GossiperOptions, type ResolvedGossiperOptions } from './options.js';
import { pickTargets } from './peer-selection.js';
import type { HeartbeatSender } from './transport.js';

export interface GossiperDeps {
  /** Our identity; `incarnation` defaults to `clock.now()` (higher than any earlier run's). */
  readonly self: SelfInfo & { readonly incarnation?: number };
  readonly clock: Clock;
  readonly random: Random;
  readonly sender: HeartbeatSender;
  readonly log: Logger;
  /** Called synchronously with every non-empty batch of changes (joins, verdicts, forgets...). */
  readonly onChange?: (changes: readonly MemberChange[]) => void;
  /** Called after each round's exchanges have been answered (or failed). */
  readonly onRound?: () => void;
}

export interface GossipStats {
  rounds: number;
  suspicions: number;
  deaths: number;
  refutations: number;
  failedSends: number;
  /** The stall measured at the latest tick (0 when on time), how many ticks found one, the longest. */
  lastStallMs: number;
  stalls: number;
  maxStallMs: number;
}

/** Words of a failed heartbeat that no retry will cure: the TLS handshake or the peer refused us. */
const TRUST_FAILURE = /certificate|self[- ]signed|unknown ca|bad certificate|handshake|PERMISSION_DENIED|ALTNAME/i;
const TRUST_WARN_EVERY_MS = 60_000;
/** A full member table (limits.max_members) is said at warn level at most this often. */
const FULL_WARN_EVERY_MS = 60_000;

/**
 * Gossip membership: one `round()` bumps our heartbeat, runs the failure detector and exchanges
 * tables (push-pull) with a few random peers. `start()` runs rounds on a jittered timer. A failed
 * send changes nothing by itself; only silence (no heartbeat progress) leads to a verdict.
 */
export class Gossiper {
  private readonly deps: GossiperDeps;
  private readonly options: ResolvedGossiperOptions;
  private readonly table: MemberTable;
  private readonly guard: PauseGuard;
  private readonly log: Logger;
  private readonly counters = { rounds: 0, suspicions: 0, deaths: 0, refutations: 0, failedSends: 0 };
  /** When a trust failure with each peer address was last logged at warn. */
  private readonly trustWarnedAt = new Map<string, number>();
  /** When each seed that never answered was last logged at warn. */
  private readonly seedWarnedAt = new Map<string, number>();
  private startedAt = -Infinity;
  private sharedIdWarnedAt = -Infinity;
  private sharedAddrWarnedAt = -Infinity;
  /** When a full table was last logged at warn, and the overflow counts then. */
  private fullWarned = { atMs: -Infinity, refused: 0, unread: 0 };
  private timer: TimerHandle | undefined;
  private running = false;
  private exchanging: Promise<void> | undefined;
  private lastTick: number;
  private lastExchange = -Infinity;
  private longStallAt = -Infinity;
  /** Per peer, the latest incarnation of ours its table held alive when it answered us. */
  private readonly seenAliveBy = new Map<string, number>();

  constructor(deps: GossiperDeps, options: GossiperOptions) {
    this.deps = deps;
    this.options = resolveGossiperOptions(options);
    this.log = deps.log.child({ component: 'gossip' });
    const incarnation = deps.self.incarnation ?? Math.max(0, Math.floor(deps.clock.now()));
    this.table = new MemberTable(deps.self, incarnation, deps.clock.monotonic(), this.options.maxMembers);
    this.lastTick = deps.clock.monotonic();
    const interval = this.options.heartbeatIntervalMs;
    this.guard = new PauseGuard(interval, interval * this.options.stallFactor);
  }

  /**
   * Whether `peerId`, in its latest answer to our heartbeat, held us alive at our current
   * incarnation: it has our refutation, so it no longer leads our keys in its own view.
   */
  seesUsAlive(peerId: string): boolean {
    return this.seenAliveBy.get(peerId) === this.table.selfEntry.incarnation;
  }

  /**
   * Monotonic times of the last local gossip tick, of the last tick that came more than
   * `suspect_after` after the one before (the process was paused or blocked that long), and of
   * the start of the latest exchange that completed (its reply is at least that fresh; an
   * exchange sent before a pause and answered after it is as old as its sending). A node whose
   * tick is overdue, or that stalled, may hold a stale view: node/ then holds writes until an
   * exchange started after the stall has refreshed it.
   */
  get freshness(): { lastTickMs: number; longStallAtMs: number; lastExchangeMs: number } {
    return { lastTickMs: this.lastTick, longStallAtMs: this.longStallAt, lastExchangeMs: this.lastExchange };
  }

  get self(): Member {
    return this.table.self;
  }

  /** Our own wire entry, as peers see it. */
  get selfEntry(): MemberEntry {
    return this.table.selfEntry;
  }

  get stats(): GossipStats {
    const { lastStallMs, stalls, maxStallMs } = this.guard;
    return { ...this.counters, lastStallMs, stalls, maxStallMs };
  }

  get isRunning(): boolean {
    return this.running;
  }

  members(): Member[] {
    return this.table.members();
  }

  member(id: string): Member | undefined {
    return this.table.get(id);
  }

  /** Ids of the members the ring holds (alive and suspect, ourselves included), sorted. */
  ringMembers(): string[] {
    const ids: string[] = [];
    for (const { entry } of this.table.values()) if (isInRing(entry.status)) ids.push(entry.id);
    return ids.sort();
  }

  /** One gossip round: tick (heartbeat, pause guard, detector), then exchange with chosen peers. */
  async round(): Promise<void> {
    if (this.table.selfEntry.status === 'left') return;
    this.tick();
    await this.exchangeRound();
    try {
      this.deps.onRound?.();
    } catch (err) {
      this.log.error({ err }, 'gossip round listener threw');
    }
  }

  /**
   * The receiving side of a Heartbeat: merge theirs, answer with ours (after the merge). The
   * entries are kept by reference, as for `HeartbeatSender` replies: pass objects nobody mutates.
   */
  handleHeartbeat(entries: readonly MemberEntry[]): MemberEntry[] {
    this.apply(this.table.merge(entries, this.deps.clock.monotonic(), this.deps.clock.now()));
    this.warnIfFull();
    return this.table.entries();
  }

  /** Runs rounds every heartbeat interval (+-25 % jitter). Idempotent. */
  start(): void {
    if (this.running || this.table.selfEntry.status === 'left') return;
    this.running = true;
    this.lastTick = this.deps.clock.monotonic(); // a slow start is not a stall
    this.startedAt = this.lastTick;
    this.schedule();
  }

  /** Clears the timer and waits for an exchange in flight (bounded by the sender's timeouts). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) {
      this.deps.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.exchanging;
  }

  /**
   * Graceful leave: marks ourselves `left` at a new incarnation, sends the table once to every
   * live peer and every peer that left but is not forgotten yet (best effort, bounded by the
   * sender's timeouts), then stops.
   */
  async leave(): Promise<void> {
    await this.stop();
    const changes = this.table.markLeft(this.deps.clock.monotonic());
    if (changes.length === 0) return;
    this.apply(changes);
    const entries = this.table.entries();
    const peers: string[] = [];
    for (const { entry } of this.table.values()) {
      // Members that left too (not yet forgotten) may still be handing off, to us among others:
      // they must hear we left, or they wait on our refusals until their leave_timeout.
      if (entry.id !== this.table.selfId && (isInRing(entry.status) || entry.status === 'left')) peers.push(entry.internalAddr);
    }
    this.log.info({ peers: peers.length }, 'leaving');
    await Promise.all(peers.map((addr) => this.exchange(addr, entries)));
  }

  private tick(): void {
    this.counters.rounds += 1;
    this.table.bumpHeartbeat();
    const now = this.deps.clock.monotonic();
    const gapMs = now - this.lastTick;
    this.lastTick = now;
    if (gapMs > this.options.suspectAfterMs && this.running) {
      this.longStallAt = now;
      this.apply([{ kind: 'stalled', id: this.table.selfId, stallMs: gapMs }]);
    }
    const stallMs = this.guard.observe(now);
    if (stallMs > 0) {
      this.table.extendProgress(stallMs, now);
      this.log.warn({ stallMs }, 'local stall: extended peers\' progress instead of accusing them');
    }
    this.apply(detectFailures(this.table, now, this.timings()));
  }

  /** dead_after as the detector applies it now (scaled with the cluster's size, see detector.ts). */
  get deadAfterMs(): number {
    return this.timings().deadAfterMs;
  }

  private timings() {
    return this.options.scaleWithClusterSize ? scaleTimings(this.options, this.table.liveCount) : this.options;
  }

  private async exchangeRound(): Promise<void> {
    const { gossipPeerCount, probeEveryRounds, seeds } = this.options;
    const probe = this.counters.rounds % probeEveryRounds === 0;
    const choice = pickTargets(this.table, seeds, gossipPeerCount, probe, this.deps.random);
    if (choice.addrs.length === 0) return;
    const entries = this.table.entries();
    await Promise.all(choice.addrs.map((addr) => this.exchange(addr, entries)));
  }

  /** One push-pull exchange. Never rejects: a failure is logged and counted, nothing more. */
  private async exchange(addr: string, entries: readonly MemberEntry[]): Promise<void> {
    const sentAt = this.deps.clock.monotonic();
    try {
      const reply = await this.deps.sender.sendHeartbeat(addr, entries);
      this.lastExchange = Math.max(this.lastExchange, sentAt);
      this.noteHowTheySeeUs(addr, reply);
      this.apply(this.table.merge(reply, this.deps.clock.monotonic(), this.deps.clock.now()));
      this.warnIfFull();
    } catch (err) {
      this.counters.failedSends += 1;
      this.log.debug({ peer: addr, err }, 'heartbeat failed');
      if (!this.warnIfRefused(addr, err)) this.warnIfSeedUnreached(addr, err);
    }
  }

  private noteHowTheySeeUs(addr: string, reply: readonly MemberEntry[]): void {
    const selfId = this.table.selfId;
    let peer: string | undefined;
    let us: MemberEntry | undefined;
    for (const e of reply) {
      if (e.internalAddr === addr && e.id !== selfId) peer = e.id;
      else if (e.id === selfId) us = e;
    }
    if (peer !== undefined && us !== undefined && us.status === 'alive') this.seenAliveBy.set(peer, us.incarnation);
  }

  /**
   * A peer that refuses this node's certificate (another CA, a name it does not cover, not a node
   * certificate) refuses it on every heartbeat: said at warn level, once a minute per peer, so a
   * node that cannot join says why without a debug log.
   */
  private warnIfRefused(addr: string, err: unknown): boolean {
    const reason = err instanceof Error ? err.message : String(err);
    if (!TRUST_FAILURE.test(reason)) return false;
    const now = this.deps.clock.monotonic();
    const last = this.trustWarnedAt.get(addr);
    if (last !== undefined && now - last < TRUST_WARN_EVERY_MS) return true;
    this.trustWarnedAt.set(addr, now);
    this.log.warn({ peer: addr, reason }, 'heartbeat refused: TLS or certificate problem');
    return true;
  }

  /**
   * A node that no peer has answered since it started stays out of the cluster (not ready, every
   * command refused), and a failed heartbeat is only a debug line: a seed that has not answered
   * for dead_after is said at warn level, with the reason, once a minute per seed (a wrong
   * address, a port that is not the cluster port, TLS on one side only).
   */
  private warnIfSeedUnreached(addr: string, err: unknown): void {
    if (this.lastExchange !== -Infinity || !this.options.seeds.some((s) => s.addr === addr)) return;
    const now = this.deps.clock.monotonic();
    if (now - this.startedAt < this.options.deadAfterMs) return;
    const last = this.seedWarnedAt.get(addr);
    if (last !== undefined && now - last < TRUST_WARN_EVERY_MS) return;
    this.seedWarnedAt.set(addr, now);
    const reason = err instanceof Error ? err.message : String(err);
    this.log.warn(
      { seed: addr, reason },
      'no seed has answered since the start: this node stays out of the cluster (not ready) until one does; check GOKV_CLUSTER_SEEDS names cluster ports (GOKV_CLUSTER_ADVERTISE_ADDR of those nodes) and that internal TLS is on, or off, on every node',
    );
  }

  /**
   * Our id gossiped alive above our incarnation: two processes share this node id. Each outbids
   * the other's incarnation for ever and peers see one member flapping between two addresses.
   * Once a minute at most.
   */
  private warnSharedId(otherAddr: string): void {
    const now = this.deps.clock.monotonic();
    if (now - this.sharedIdWarnedAt < TRUST_WARN_EVERY_MS) return;
    this.sharedIdWarnedAt = now;
    this.log.warn(
      { id: this.table.selfEntry.id, addr: this.table.selfEntry.internalAddr, otherAddr },
      'another process gossips this node id alive: two nodes share one id (GOKV_CLUSTER_NODE_ID); give each its own',
    );
  }

  /**
   * Members refused because the table is full, or entries past limits.max_members in one message:
   * either a cluster larger than the limit (raise it) or made-up members. Once a minute at most.
   */
  private warnIfFull(): void {
    const { refused, unread } = this.table.overflowCounts;
    const last = this.fullWarned;
    if (refused === last.refused && unread === last.unread) return;
    const now = this.deps.clock.monotonic();
    if (now - last.atMs < FULL_WARN_EVERY_MS) return;
    this.fullWarned = { atMs: now, refused, unread };
    this.log.warn(
      { maxMembers: this.options.maxMembers, refused: refused - last.refused, unread: unread - last.unread },
      'member table full (limits.max_members): unknown members not added, entries past the limit not read',
    );
  }

  private schedule(): void {
    const interval = this.options.heartbeatIntervalMs;
    const delay = interval * (0.75 + 0.5 * this.deps.random.next());
    this.timer = this.deps.clock.setTimeout(() => this.onTimer(), delay);
  }

  /**
   * The timer keeps its cadence whatever the network does: the next tick is scheduled first, so
   * the gap between ticks measures only our own event loop (the pause guard relies on it). If the
   * previous exchange is still in flight, this tick only bumps the heartbeat and runs the detector;
   * exchanges never overlap.
   */
  private onTimer(): void {
    this.timer = undefined;
    if (!this.running) return;
    this.schedule();
    if (this.exchanging !== undefined) {
      this.tick();
      return;
    }
    const exchange = this.round()
      .catch((err: unknown) => this.log.error({ err }, 'gossip round failed'))
      .finally(() => {
        if (this.exchanging === exchange) this.exchanging = undefined;
      });
    this.exchanging = exchange;
  }

  private apply(changes: MemberChange[]): void {
    if (changes.length === 0) return;
    let placesChanged = false;
    for (const change of changes) {
      this.count(change);
      placesChanged ||= change.kind === 'joined' || change.kind === 'addressChanged' || change.kind === 'statusChanged';
      // What is kept per peer goes with it: under churn these maps would only grow.
      if (change.kind === 'forgotten') {
        this.seenAliveBy.delete(change.id);
        this.trustWarnedAt.delete(change.internalAddr);
      }
    }
    if (placesChanged) this.warnSharedAddress();
    try {
      this.deps.onChange?.(changes);
    } catch (err) {
      this.log.error({ err }, 'membership change listener threw');
    }
  }

  /**
   * Two live members with one internal address: one node's GOKV_CLUSTER_ADVERTISE_ADDR names
   * another's port, so every node dials one process for both, and keys led by either are
   * refused (no agreement on the leader) with nothing else said. Once a minute at most.
   */
  private warnSharedAddress(): void {
    const now = this.deps.clock.monotonic();
    if (now - this.sharedAddrWarnedAt < TRUST_WARN_EVERY_MS) return;
    const byAddr = new Map<string, string>();
    for (const { entry } of this.table.values()) {
      if (!isInRing(entry.status)) continue;
      const other = byAddr.get(entry.internalAddr);
      if (other === undefined) {
        byAddr.set(entry.internalAddr, entry.id);
        continue;
      }
      this.sharedAddrWarnedAt = now;
      this.log.warn(
        { ids: [other, entry.id], addr: entry.internalAddr },
        'two members advertise one internal address: the advertise address of one of them (GOKV_CLUSTER_ADVERTISE_ADDR) names the other\'s port; give each its own',
      );
      return;
    }
  }

  private count(change: MemberChange): void {
    if (change.kind === 'refuted') {
      this.counters.refutations += 1;
      this.log.info({ claimed: change.claimed, incarnation: change.incarnation }, 'refuted');
      if (change.claimedBy !== undefined) this.warnSharedId(change.claimedBy);
    } else if (change.kind === 'statusChanged') {
      if (change.to === 'suspect') this.counters.suspicions += 1;
      if (change.to === 'dead') this.counters.deaths += 1;
      this.log.info({ member: change.id, from: change.from, to: change.to }, 'member status changed');
    } else if (change.kind === 'joined') {
      this.log.info({ member: change.member.id, addr: change.member.internalAddr }, 'member joined');
    }
  }
}
