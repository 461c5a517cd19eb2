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
  /**
   * Why writes are refused now, or undefined: one call decides (a rejoin's last refusal is
   * given once). Optional; without it writable() decides.
   */
  writeRefusal?(): string | undefined;
  /**
   * False until a node started with seeds has heard of another live member: alone, it would
   * serve empty reads and accept writes that later overwrite the cluster's older copies.
   */
  joined(): boolean;
  /**
   * Members held `left`: out of the ring, but one may still be handing its keys off (and
   * answering pulls for them). Optional; absent means none.
   */
  readonly leftMembers?: readonly string[];
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

/**
 * The hand-off seam (DESIGN.md section 8), declared here by its consumer; rebalance/ satisfies
 * it in node/. Without one (a single node, unit tests) the router serves from the store alone.
 */
export interface HandOffGate {
  /**
   * Where a key this node leads in its own view was pulled to by its new owner (whose view is
   * newer): the router forwards there instead of applying. Undefined: serve here.
   */
  movedTo(key: string): string | undefined;
  /**
   * Undefined when `key` may be served from the local store now; else a promise that settles
   * once the key was pulled from its previous owners (this node gained its arc and has not
   * been handed it yet). Calls for one key share one promise, so they keep their order.
   */
  ready(key: string, position: number): Promise<void> | undefined;
  /**
   * For a SCAN page over [from, to) served here: the keys previous owners still hold in arcs
   * not handed here yet, complete below `next`; undefined when nothing there is pending.
   */
  scanRemote(from: number, to: number, args: readonly string[]): Promise<{ keys: readonly string[]; next: number }> | undefined;
}
