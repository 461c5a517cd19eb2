/** A hand-off a member is running now; `elapsedMs` was measured on that member's own clock. */
export interface HandOffFigures {
  readonly keysPlanned: number;
  readonly keysSent: number;
  readonly bytesPlanned: number;
  readonly bytesSent: number;
  readonly elapsedMs: number;
}

/** One member's own figures, as it reported them (the node's NodeStats). */
export interface MemberFigures {
  readonly id: string;
  readonly keys: number;
  readonly memoryUsedBytes: number;
  /** memory.max_memory; 0 = unlimited. */
  readonly maxMemoryBytes: number;
  readonly opsPerSec: number;
  /** null when no command ran lately. */
  readonly p99LatencyMs: number | null;
  readonly eventLoopDelayMs: number;
  readonly uptimeMs: number;
  /** null when no hand-off is running there. */
  readonly handOff: HandOffFigures | null;
}

/** The ring as the answering node routes with it (`GET /v1/ring`). */
export interface RingView {
  readonly version: number;
  readonly vnodeCount: number;
  /** Extra copies beside the leader (cluster.replicas). */
  readonly replicas: number;
  readonly members: ReadonlyArray<{
    readonly id: string;
    /** The fraction of hash space this member leads, in [0, 1]. */
    readonly share: number;
    /** Its vnode positions in [0, 2^32), ascending. */
    readonly vnodes: readonly number[];
  }>;
}

/**
 * What the dashboard needs beyond the command path. Declared here, by its consumer; node/
 * supplies it (figures of other members come from their NodeStats, cached briefly).
 */
export interface DashboardSource {
  /**
   * Figures by member id, this node's own included. Never rejects and answers within a short
   * deadline: a member that did not answer is simply absent (the page shows it without figures).
   */
  figures(): Promise<ReadonlyMap<string, MemberFigures>>;
  ring(): RingView;
}
