import type { MemberEntry, MemberStatus } from '../membership/index.js';
import type { HeartbeatNode, HeartbeatNode__Output } from '../gen/internalpb/HeartbeatNode.js';

const STATUSES: ReadonlySet<string> = new Set(['alive', 'suspect', 'dead', 'left']);

export function memberToProto(m: MemberEntry): HeartbeatNode {
  return {
    nodeId: m.id,
    nodeInternalAddr: m.internalAddr,
    nodeExternalAddr: m.grpcAddr,
    nodeRestAddr: m.restAddr,
    alive: m.status === 'alive',
    status: m.status,
    incarnation: m.incarnation,
    heartbeat: m.heartbeat,
  };
}

/** A Go gokv node sends no status: derive it from `alive`. Unknown statuses are skipped upstream. */
export function memberFromProto(n: HeartbeatNode__Output): MemberEntry {
  const status = (STATUSES.has(n.status) ? n.status : n.alive ? 'alive' : 'dead') as MemberStatus;
  return {
    id: n.nodeId,
    internalAddr: n.nodeInternalAddr,
    grpcAddr: n.nodeExternalAddr,
    restAddr: n.nodeRestAddr,
    status,
    incarnation: n.incarnation,
    heartbeat: n.heartbeat,
  };
}
