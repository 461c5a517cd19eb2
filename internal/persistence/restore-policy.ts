import type { RestorePolicy } from '../config/index.js';

/** Whether to load the snapshot at start, and the reason logged with the decision. */
export interface RestoreDecision {
  readonly restore: boolean;
  readonly reason: string;
}

/** What `auto` looks at: only configuration, so the decision is the same on every start. */
export interface RestoreContext {
  /** `cluster.replicas`. */
  readonly replicas: number;
  /** Seeds configured (`GOKV_CLUSTER_SEEDS`, this node's own entry, by address or id, already removed). */
  readonly seeds: number;
}

/**
 * `persistence.restore_on_startup`: `always`, `never`, or `auto`, which restores when no peer can
 * hold a copy of this node's data: with `replicas: 0` (no other copy exists), or with no seeds
 * (this node starts a new cluster, so there is no one to get data from). Otherwise peers may hold
 * newer copies and hand them over; a stale local file could then bring back keys deleted since
 * it was written once their tombstones are gone, so `auto` leaves it. `auto` does not probe the
 * seeds: a seed still starting would turn the decision into a race. For a whole-cluster restart
 * from snapshots, set `always`.
 */
export function decideRestore(policy: RestorePolicy, context: RestoreContext): RestoreDecision {
  switch (policy) {
    case 'always':
      return { restore: true, reason: 'restore_on_startup is always' };
    case 'never':
      return { restore: false, reason: 'restore_on_startup is never' };
    case 'auto':
      if (context.replicas === 0) return { restore: true, reason: 'auto: replicas is 0, no other copy exists' };
      if (context.seeds === 0) return { restore: true, reason: 'auto: no seeds, this node starts a new cluster' };
      return { restore: false, reason: 'auto: replicas > 0 and seeds configured, peers hold the copies' };
  }
}
