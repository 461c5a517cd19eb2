import type { BinStr } from '../command/index.js';
import type { KeyStateFields } from '../wire/index.js';

/** One write as a replica must replay it: an effect command plus the key's versions. */
export interface ReplicatedWrite {
  readonly name: string;
  readonly key: BinStr;
  readonly args: readonly BinStr[];
  /** The key's version after the write on the leader. */
  readonly version: number;
  /** The key's version before it (0 when the leader knew no earlier version). */
  readonly prevVersion: number;
}

/** A key's whole state, as store.exportKey gives it; used to resync a replica. */
export type KeyStateMessage = KeyStateFields;

/**
 * A key its leader evicted, at the version it had. Not a write: no client waits for it, and a
 * replica drops only a copy at exactly this version, leaving no tombstone (the leader has none).
 */
export interface EvictedKey {
  readonly key: BinStr;
  readonly version: number;
}

/** An op on the wire of a replication stream: one of write, state or evicted. */
export interface ReplicationOp {
  readonly seq: number;
  readonly write?: ReplicatedWrite;
  readonly state?: KeyStateMessage;
  readonly evicted?: EvictedKey;
}

export interface ReplicationAck {
  /** Every op up to and including this seq is applied (or answered by a resync request). */
  readonly ackedSeq: number;
  /** Keys whose prevVersion did not match the replica's: the leader sends their state. */
  readonly resyncKeys: readonly BinStr[];
}

/**
 * An ordered, reliable stream to one replica (a gRPC bidi stream in production). Declared here,
 * by its consumer. `send` never blocks; batches arrive in the order sent. `onAck` and `onClose`
 * are called at most once per event; after close the stream is dead and a new one is opened.
 */
export interface ReplicaStream {
  send(leaderId: string, ops: readonly ReplicationOp[]): void;
  onAck(handler: (ack: ReplicationAck) => void): void;
  onClose(handler: (reason: string) => void): void;
  close(): void;
}

export interface ReplicaTransport {
  open(replicaId: string): ReplicaStream;
}
