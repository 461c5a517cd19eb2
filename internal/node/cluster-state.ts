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

  constructor(
    private readonly selfId: string,
    private readonly gossiper: Gossiper | undefined,
    private readonly hasher: Hasher,
    private readonly vnodeCount: number,
  ) {
    this.current = this.build();
  }

  view(): ClusterView {
    return this.current;
  }

  /** How many times the ring changed since start. */
  get ringEpoch(): number {
    return this.epoch;
  }

  /** Called with every batch of member changes; returns whether the ring changed. */
  onChange(_changes: readonly MemberChange[]): boolean {
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
    return { selfId: this.selfId, ring, statusOf };
  }
}
