import type { Clock } from '../clock/index.js';
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
  /** Monotonic time since which writes are held, until an exchange newer than it. */
  private fencedSince: number | undefined;
  /** Sticky: once it heard of a live peer (or has no seeds), a node serves, even if left alone later. */
  private hasJoined: boolean;

  constructor(
    private readonly selfId: string,
    private readonly gossiper: Gossiper | undefined,
    private readonly hasher: Hasher,
    private readonly vnodeCount: number,
    private readonly clock: Clock,
    private readonly suspectAfterMs: number,
    needsJoin = false,
  ) {
    this.hasJoined = !needsJoin;
    this.current = this.build();
  }

  /** See ClusterView.joined. */
  joined(): boolean {
    if (!this.hasJoined && this.current.ring.size > 1) this.hasJoined = true;
    return this.hasJoined;
  }

  /**
   * One leader at a time, as far as this node can tell: if its gossip timer has not run for
   * suspect_after (the process was paused or blocked), or it learned it was held dead, its
   * peers may already have moved its keys to another leader. Writes are held until an exchange
   * with a peer, newer than the stall, has refreshed the view. A node alone is always writable.
   */
  writable(): boolean {
    const gossiper = this.gossiper;
    if (!gossiper || this.current.ring.size <= 1) return true;
    const now = this.clock.monotonic();
    const { lastTickMs, lastExchangeMs } = gossiper.freshness;
    if (this.fencedSince === undefined && now - lastTickMs > this.suspectAfterMs) this.fencedSince = now;
    if (this.fencedSince !== undefined && lastExchangeMs > this.fencedSince) this.fencedSince = undefined;
    return this.fencedSince === undefined;
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
        this.fencedSince ??= this.clock.monotonic();
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
    return { selfId: this.selfId, ring, statusOf, writable: () => this.writable(), joined: () => this.joined() };
  }
}
