import type { Ring } from '../ring/index.js';

export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';

/**
 * The router's picture of the cluster: an immutable snapshot that node/ replaces whenever the
 * member table changes, so one command sees one consistent ring.
 */
export interface ClusterView {
  readonly selfId: string;
  readonly ring: Ring;
  statusOf(memberId: string): MemberStatus | undefined;
  /**
   * False while this node's view may be stale (it was paused past suspect_after, or learned it
   * was held dead): writes wait for a fresh exchange rather than risk a second leader.
   */
  writable(): boolean;
}

/**
 * Sends a command to another node. Declared here, by its consumer; peer/ implements it over the
 * batched Forward stream. Resolves with the MessagePack reply; rejects with the command's own
 * GokvError, or with an error carrying `transport: true` when the peer could not be reached
 * (and `maybeApplied` when the command may have run there anyway). Never blocks the caller.
 */
export interface Forwarder {
  forward(
    memberId: string,
    command: { name: string; key: string; args: readonly string[]; hops: number; replicaRead: boolean },
  ): Promise<Uint8Array>;
}
