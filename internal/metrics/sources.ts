/**
 * What the metrics read from the rest of the node at scrape time. node/ supplies these as
 * closures over the store, the gossiper and the replicator, so metrics/ imports none of them and
 * counters kept elsewhere are read when Prometheus asks, never pushed on the hot path.
 * A source that throws only loses its own samples for that scrape.
 */
export interface MetricsSources {
  /** Keys this node holds (expired keys not yet collected included). */
  keys(): number;
  /** Memory the store accounts for (keys and tombstones), in bytes. */
  usedMemoryBytes(): number;
  /** Deletions remembered, and the bytes they take (part of usedMemoryBytes). */
  tombstones(): { readonly count: number; readonly bytes: number };
  /** The store's cumulative counters. */
  storeCounters(): { readonly expiredKeys: number; readonly evictedKeys: number; readonly tombstonesPrunedEarly: number };
  /** The gossiper's cumulative counters; undefined when membership is disabled. */
  gossip(): GossipCounters | undefined;
  /** Replication ops queued or unacknowledged, per replica id (leader side). */
  replicationLag(): ReadonlyMap<string, number>;
  /** The status of every member this node knows, itself included. */
  memberStatuses(): Iterable<string>;
  ringVersion(): number;
  /** Whether this node refuses writes now (no majority, recovering from a pause, rejoining). */
  writesRefused?(): boolean;
  /** Hand-off progress; undefined when the node has no rebalancer. */
  rebalance?(): RebalanceProgress | undefined;
  /**
   * notAfter of each configured TLS certificate file, in Unix seconds, by role (`internal_server`,
   * `internal_client`, `internal_ca`, `external_server`, `external_ca`); none when TLS is off.
   */
  tlsCertificateExpiry?(): Iterable<readonly [string, number]>;
  /** Snapshots written and failed since start, and when the last one was written (wall-clock ms). */
  snapshots?(): SnapshotCounters;
}

export interface SnapshotCounters {
  readonly saves: number;
  readonly failures: number;
  readonly lastSuccessAtMs?: number;
}

export interface GossipCounters {
  readonly rounds: number;
  readonly suspicions: number;
  readonly deaths: number;
  readonly failedSends: number;
}

/** Hand-off progress: cumulative counters and the state of the current hand-off. */
export interface RebalanceProgress {
  readonly keysSent: number;
  readonly bytesSent: number;
  /** Keys this node sent or confirmed and then forgot (it no longer owns them). */
  readonly keysDropped: number;
  /** Arcs of the running hand-off not sent yet. */
  readonly arcsPending: number;
  /** Keys of the running hand-off not handled yet. */
  readonly keysPending: number;
  /** Arcs this node gained and has not been handed yet (it pulls their keys on a miss). */
  readonly arcsArriving: number;
  /** Keys pulled from previous owners on a miss. */
  readonly pulls: number;
}

export interface MetricsOptions {
  /** Canonical (upper-case) command names; any other name is recorded as `unknown`. */
  readonly commandNames: readonly string[];
  /** memory.max_memory, exported as is (0 = unlimited). */
  readonly maxMemoryBytes: number;
  /** Latency histogram buckets in seconds; defaults to DEFAULT_LATENCY_BUCKETS_SECONDS. */
  readonly latencyBucketsSeconds?: readonly number[];
  /** Sampling resolution of the event-loop delay monitor, in ms (default 10). */
  readonly eventLoopResolutionMs?: number;
}

/** From 50 us (a local command) to 5 s (past any client deadline). */
export const DEFAULT_LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
