import type { Clock } from '../clock/index.js';
import type { MinorityWrites } from '../config/index.js';
import { Ring, type Hasher } from '../ring/index.js';
import type { Gossiper, MemberChange } from '../membership/index.js';
import type { ClusterView, MemberStatus } from '../router/index.js';

/**
 * Keeps the router's ClusterView in step with the member table: a new immutable Ring whenever
 * the set of ring members (alive + suspect) changes. membership/ does not know about rings.
 */
export class ClusterState {
  private current: ClusterView;
  private epoch = 0;
  /** Monotonic time of the latest evidence that the view may be stale; writes wait for an exchange started after it. */
  private staleSince = -Infinity;
  /** Sticky: once it heard of a live peer (or has no seeds), a node serves, even if left alone later. */
  private hasJoined: boolean;
  /** Ring members (alive, suspect) and members known (those and dead; left ones do not count). */
  private counts = { ring: 1, known: 1 };

  constructor(
    private readonly selfId: string,
    private readonly gossiper: Gossiper | undefined,
    private readonly hasher: Hasher,
    private readonly vnodeCount: number,
    private readonly clock: Clock,
    private readonly suspectAfterMs: number,
    needsJoin = false,
    private readonly minorityWrites: MinorityWrites = 'accept',
  ) {
    this.hasJoined = !needsJoin;
    this.current = this.build();
  }

  /** See ClusterView.joined. */
  joined(): boolean {
    return this.hasJoined;
  }

  /**
   * One leader at a time, as far as this node can tell: if its gossip timer has not run for
   * suspect_after (the process was paused or blocked), or it learned it was held dead, its
   * peers may already have moved its keys to another leader. Writes are held until an exchange
   * with a peer, started after that evidence, has refreshed the view. The evidence is kept
   * whichever runs first after a pause (a queued write or the overdue gossip tick), so writes
   * that were waiting in the socket during a SIGSTOP are refused too. A node alone is always
   * writable.
   */
  writable(): boolean {
    return this.writeRefusal() === undefined;
  }

  /**
   * Why writes are refused here now, or undefined. Besides the pause fence above: with
   * `cluster.minority_writes: refuse`, a node whose ring holds no strict majority of the members
   * it knows (the minority side of a partition, or the survivors of most members' crash) refuses
   * writes, so the two sides of a partition never both acknowledge writes. Dead members count
   * until they are forgotten (messaging.forget_dead_after); members that left do not count.
   */
  writeRefusal(): string | undefined {
    const { ring, known } = this.counts;
    if (this.minorityWrites === 'refuse' && ring * 2 <= known) {
      return `this node sees ${ring} of ${known} members, no majority (cluster.minority_writes: refuse): writes refused; retry`;
    }
    if (!this.fresh()) return 'this node was paused and is refreshing its view of the cluster; retry';
    return undefined;
  }

  private fresh(): boolean {
    const gossiper = this.gossiper;
    if (!gossiper || this.current.ring.size <= 1) return true;
    const now = this.clock.monotonic();
    const { lastTickMs, longStallAtMs, lastExchangeMs } = gossiper.freshness;
    if (now - lastTickMs > this.suspectAfterMs) this.staleSince = Math.max(this.staleSince, now);
    this.staleSince = Math.max(this.staleSince, longStallAtMs);
    return this.staleSince === -Infinity || lastExchangeMs > this.staleSince;
  }

  view(): ClusterView {
    return this.current;
  }

  /** How many times the ring changed since start. */
  get ringEpoch(): number {
    return this.epoch;
  }

  /** Called with every batch of member changes; returns whether the ring changed. */
  onChange(changes: readonly MemberChange[]): boolean {
    for (const c of changes) {
      if (c.kind === 'refuted' && c.id === this.selfId && (c.claimed === 'dead' || c.claimed === 'left')) {
        this.staleSince = Math.max(this.staleSince, this.clock.monotonic());
      }
    }
    const next = this.build();
    const changed = next.ring.version !== this.current.ring.version;
    if (changed) this.epoch++;
    this.current = next;
    return changed;
  }

  private build(): ClusterView {
    const gossiper = this.gossiper;
    const ids = gossiper ? gossiper.ringMembers() : [this.selfId];
    const ring = Ring.fromMembers(ids, this.vnodeCount, this.hasher.textPosition);
    const statusOf = (id: string): MemberStatus | undefined =>
      id === this.selfId ? 'alive' : gossiper?.member(id)?.status;
    let known = 0;
    if (gossiper) for (const m of gossiper.members()) if (m.status !== 'left') known++;
    this.counts = { ring: ring.size, known: Math.max(known, ring.size) };
    // Latched here, with every ring, not when a command asks: a node that served nothing before
    // its peers went out of reach (a partition) would otherwise refuse everything as "joining".
    if (ring.size > 1) this.hasJoined = true;
    return {
      selfId: this.selfId,
      ring,
      statusOf,
      writable: () => this.writable(),
      writeRefusal: () => this.writeRefusal(),
      joined: () => this.joined(),
    };
  }
}
