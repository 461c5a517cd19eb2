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
  /** Whether this node's ring ever held another member (a first join is not a return). */
  private hadPeers = false;
  /** Monotonic time this node came back from being cut off (see rejoinRefusal), or -Infinity. */
  private rejoinedAt = -Infinity;
  /** Told when a rejoin's wait ends: every key led here is to be pulled again before it is served. */
  onRejoined: (() => void) | undefined;

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
   * until they are forgotten (messaging.forget_dead_after); members that left do not count. And a
   * node back from being cut off waits for its peers to see it (rejoinRefusal).
   */
  writeRefusal(): string | undefined {
    const { ring, known } = this.counts;
    if (this.minorityWrites === 'refuse' && ring * 2 <= known) {
      return `this node sees ${ring} of ${known} members, no majority (cluster.minority_writes: refuse): writes refused; retry`;
    }
    if (!this.fresh()) return 'this node was paused and is refreshing its view of the cluster; retry';
    return this.rejoinRefusal();
  }

  /**
   * A node back from being cut off (a partition healed, or its peers held it dead) may find a
   * peer that still holds it dead and so still leads, and writes, its keys: members learn of a
   * healed partition at different moments. A write here on a copy without that peer's writes
   * would get the newer version and replace them on every copy. So it waits until every member
   * it knows has answered a heartbeat holding it alive at its current incarnation (from then on
   * they forward its keys here), or for dead_after: by then a member that heard from anyone who
   * sees this node alive knows it too, and one that heard from nobody is in a minority. The wait
   * ends with one more refusal while every key owned here is marked to be pulled once more, from
   * its other owners, before it is served.
   */
  private rejoinRefusal(): string | undefined {
    if (this.rejoinedAt === -Infinity || this.current.ring.size <= 1) return undefined;
    const gossiper = this.gossiper;
    const waited = this.clock.monotonic() - this.rejoinedAt;
    // dead_after as the detector scales it: gossip takes longer to reach everyone in a larger cluster.
    if (gossiper !== undefined && waited < gossiper.deadAfterMs) {
      const pending: string[] = [];
      for (const m of gossiper.members()) {
        if (m.id !== this.selfId && m.status !== 'left' && !gossiper.seesUsAlive(m.id)) pending.push(m.id);
      }
      if (pending.length > 0) {
        const who = pending.length <= 5 ? pending.join(', ') : `${pending.slice(0, 5).join(', ')} and ${pending.length - 5} more`;
        return `this node is rejoining the cluster; waiting until ${who} see it alive: writes refused; retry`;
      }
    }
    this.rejoinedAt = -Infinity;
    this.onRejoined?.();
    return 'this node rejoined the cluster and is pulling its keys again; retry';
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
        this.rejoinedAt = this.clock.monotonic();
      }
    }
    const wasAlone = this.current.ring.size <= 1;
    const hadPeers = this.hadPeers;
    const next = this.build();
    // Back from being alone (every peer held dead here): they may have held this node dead too.
    if (wasAlone && next.ring.size > 1 && hadPeers) this.rejoinedAt = this.clock.monotonic();
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
    const leftMembers: string[] = [];
    if (gossiper) for (const m of gossiper.members()) {
      if (m.status !== 'left') known++;
      else if (m.id !== this.selfId) leftMembers.push(m.id);
    }
    this.counts = { ring: ring.size, known: Math.max(known, ring.size) };
    // Latched here, with every ring, not when a command asks: a node that served nothing before
    // its peers went out of reach (a partition) would otherwise refuse everything as "joining".
    if (ring.size > 1) {
      this.hasJoined = true;
      this.hadPeers = true;
    }
    return {
      selfId: this.selfId,
      ring,
      statusOf,
      writable: () => this.writable(),
      writeRefusal: () => this.writeRefusal(),
      joined: () => this.joined(),
      leftMembers,
    };
  }
}
