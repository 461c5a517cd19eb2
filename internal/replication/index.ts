// replication/ owns shipping a leader's writes to replicas in apply order (ReplicaLink per
// replica, seq numbers and acks, resync by key state) and applying them on replicas. It
// declares the ReplicaTransport it needs; node/ satisfies it with peer/ streams.
export { Replicator, type ReplicatorOptions } from './replicator.js';
export { ReplicaLink } from './replica-link.js';
export { ReplicaApplier } from './replica-applier.js';
export type {
  ReplicatedWrite,
  KeyStateMessage,
  EvictedKey,
  ReplicationOp,
  ReplicationAck,
  ReplicaStream,
  ReplicaTransport,
} from './types.js';
