import type { HandOffFigures, NodeFigures } from '../metrics/index.js';

export type { HandOffFigures };
/** One member's own figures, as it reported them (the node's NodeStats). */
export type MemberFigures = NodeFigures;

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
