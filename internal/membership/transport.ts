import type { MemberEntry } from './member.js';

/**
 * What gossip needs from the network, declared here by its consumer. The gRPC client in `peer/`
 * implements it with the internal `Heartbeat` RPC; `peer/fake-network.ts` implements it in memory.
 */
export interface HeartbeatSender {
  /**
   * Sends our member table to the node listening at `addr` (its internal address) and resolves
   * with the receiver's table after it merged ours (push-pull).
   *
   * - Never blocks the event loop; resolves or rejects asynchronously.
   * - Must settle within a bounded time (`messaging.message_timeout`): rejects on a transport
   *   failure, an unreachable or unknown address, or a timeout. The gossiper awaits the calls of
   *   one round together, so an unbounded call would stall gossip.
   * - No ordering between calls is promised, even to the same address; each call stands alone.
   * - Must not retry a call on its own: a failed heartbeat is evidence, and the next round is
   *   the retry. A rejection is never a verdict on the peer's health by itself.
   * - `entries` is not mutated by the caller after the call; the sender may serialize it lazily.
   * - The resolved entries are kept by reference (entries are immutable values shared between
   *   tables): resolve with plain objects that nobody mutates afterwards.
   */
  sendHeartbeat(addr: string, entries: readonly MemberEntry[]): Promise<MemberEntry[]>;
}

/** A seed from `GOKV_CLUSTER_SEEDS` (`host:port` or `id=host:port`). The id is informative only:
 *  a seed never becomes a member until it answers with its own entry. */
export interface Seed {
  readonly id?: string;
  readonly addr: string;
}
