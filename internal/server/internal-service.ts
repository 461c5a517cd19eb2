import type { Reply } from '../command/index.js';
import type { MemberEntry } from '../membership/index.js';
import type { KeyStateMessage, ReplicationAck, ReplicationOp } from '../replication/index.js';
import type { KeyDigestView } from '../store/index.js';
import type { ServedCommand } from './command-service.js';
import type { NodeFigures } from './node-stats.js';
import type { FetchKeysResponseMessage, FetchRangeResponseMessage } from '../wire/index.js';

/**
 * What the internal gRPC server needs from the node, in domain types (proto conversion stays in
 * server/). Declared by its consumer; node/ satisfies it.
 */
export interface InternalService {
  /**
   * Merges a peer's member table and answers with ours. `clusterSettings`: the settings the peer
   * sent (config/cluster-settings.ts), absent from an older node.
   */
  heartbeat(fromNodeId: string, entries: MemberEntry[], clusterSettings?: string): MemberEntry[];
  /** Runs a forwarded command (the router decides whether to run it here or pass it on). */
  execute(command: ServedCommand, hops: number, replicaRead: boolean, origin?: ForwardOrigin): Reply | Promise<Reply>;
  /**
   * Applies a batch of replicated writes from a leader, in order, and says what is applied.
   * Asynchronous when the batch carries a large state built over several turns: the stream's
   * next batch waits for it.
   */
  applyReplication(leaderId: string, ops: readonly ReplicationOp[]): ReplicationAck | Promise<ReplicationAck>;
  /** This node's own figures for the dashboard (NodeStats); absent: UNIMPLEMENTED. */
  nodeStats?(): NodeFigures;
  /** Debug/checkers: this node's own copy of each key, from its local store (KeyDigests); absent: UNIMPLEMENTED. */
  keyDigests?(keys: string[]): KeyDigestView[];
  /**
   * One hand-off message from `fromNodeId`: merges `states` by version, answers `confirm` with
   * the keys held here at a lower version or not at all, and notes `done` arcs as handed off.
   */
  rebalance(fromNodeId: string, message: HandOffMessage): HandOffAnswer | Promise<HandOffAnswer>;
  /**
   * Pull-on-miss: the states held here for these keys, and the keys held here left out to keep
   * the answer under one message (asked again); later commands for the keys sent go to `fromNodeId`.
   * Asynchronous where a key is still arriving here: it is fetched first (a chained pull).
   * `chain`: how many members asked on another's behalf before this request (bounds a chain).
   */
  fetchKeys(fromNodeId: string, keys: string[], chain: number): FetchedKeys | Promise<FetchedKeys>;
  /**
   * The keys held here in ring positions [from, to) passing SCAN's options, complete below `next`,
   * for `fromNodeId`'s SCAN page. Asynchronous where the range is still arriving here: its own
   * previous owners other than the asker are listed first (a chained scan); `chain` as for fetchKeys.
   */
  scanRange(from: number, to: number, args: string[], fromNodeId: string, chain: number): ScannedRange | Promise<ScannedRange>;
  /**
   * Everything held here in ring positions [from, to) (tombstones included), complete below
   * `next`, for `fromNodeId`, which is about to report the range handed off to `forNodeId` while
   * still receiving it from here; later commands for the keys sent go to `forNodeId`.
   */
  fetchRange(fromNodeId: string, forNodeId: string, from: number, to: number): FetchedRange;
}

/** A FetchKeys answer (wire/rebalance-codec.ts writes it as it is). */
export type FetchedKeys = FetchKeysResponseMessage;

/** A FetchRange answer (see FetchRangeResponseMessage). */
export type FetchedRange = FetchRangeResponseMessage;

/** A ScanRange answer: keys complete below `next`. */
export interface ScannedRange {
  readonly keys: readonly string[];
  readonly next: number;
}

/** Who sent a forwarded command, at which incarnation (absent from older senders). */
export interface ForwardOrigin {
  readonly nodeId: string;
  readonly incarnation: number;
}

/** A hand-off message's answer: states applied; for a confirm, the keys to push and those arriving from another member. */
export interface HandOffAnswer {
  readonly applied: number;
  readonly missing: string[];
  readonly arriving: string[];
}

export interface HandOffMessage {
  readonly states: KeyStateMessage[];
  readonly confirm: { key: string; version: number }[];
  readonly done: { from: number; to: number }[];
  /** The states are passed on by a member that was handed them but does not own them. */
  readonly relayed: boolean;
}
