import type { Reply } from '../command/index.js';
import type { MemberEntry } from '../membership/index.js';
import type { ReplicationAck, ReplicationOp } from '../replication/index.js';
import type { ServedCommand } from './command-service.js';
import type { NodeFigures } from './node-stats.js';

/**
 * What the internal gRPC server needs from the node, in domain types (proto conversion stays in
 * server/). Declared by its consumer; node/ satisfies it.
 */
export interface InternalService {
  /** Merges a peer's member table and answers with ours. */
  heartbeat(fromNodeId: string, entries: MemberEntry[]): MemberEntry[];
  /** Runs a forwarded command (the router decides whether to run it here or pass it on). */
  execute(command: ServedCommand, hops: number, replicaRead: boolean): Reply | Promise<Reply>;
  /** Applies a batch of replicated writes from a leader, in order, and says what is applied. */
  applyReplication(leaderId: string, ops: ReplicationOp[]): ReplicationAck;
  /** This node's own figures for the dashboard (NodeStats); absent: UNIMPLEMENTED. */
  nodeStats?(): NodeFigures;
}
