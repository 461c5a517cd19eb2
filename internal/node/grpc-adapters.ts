import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { MemberEntry } from '../membership/index.js';
import type { HeartbeatSender } from '../membership/index.js';
import type { ClientPool } from '../peer/index.js';
import { TransportError } from '../peer/index.js';
import type { Forwarder } from '../router/index.js';
import type { ReplicaStream, ReplicaTransport, ReplicationAck } from '../replication/index.js';
import type { RebalanceSink } from '../rebalance/index.js';
import { binFromBuffer as bin, binToBuffer as bytes } from '../store/index.js';
import {
  decodeReplicateAck,
  encodeReplicateBatch,
  memberFromProto,
  memberToProto,
  type ReplicateBatchMessage,
} from '../server/index.js';

/** Resolves a member id to its internal address in the current member table. */
export type AddressBook = (memberId: string) => string | undefined;

export function heartbeatSender(pool: ClientPool, selfId: string): HeartbeatSender {
  return {
    async sendHeartbeat(addr: string, entries: readonly MemberEntry[]): Promise<MemberEntry[]> {
      const reply = await pool.get(addr).heartbeat(selfId, entries.map(memberToProto));
      return reply.map(memberFromProto);
    },
  };
}

export function grpcForwarder(pool: ClientPool, addressOf: AddressBook): Forwarder {
  return {
    forward(memberId, command) {
      const addr = addressOf(memberId);
      if (addr === undefined) return Promise.reject(new TransportError(memberId, 'unknown member', { maybeApplied: false }));
      try {
        return pool.get(addr).forward(command);
      } catch (err) {
        return Promise.reject(unusableAddress(memberId, err));
      }
    },
  };
}

/**
 * A channel that cannot even be created (grpc-js throws on a target it cannot parse): refused
 * like an unreachable peer, never thrown out of the caller (a timer or a stream's handler).
 */
function unusableAddress(memberId: string, err: unknown): TransportError {
  const detail = `no channel to its address: ${err instanceof Error ? err.message : String(err)}`;
  return new TransportError(memberId, detail, { cause: err, maybeApplied: false, unreachable: true });
}

export function grpcReplicaTransport(pool: ClientPool, addressOf: AddressBook): ReplicaTransport {
  return {
    open(replicaId: string): ReplicaStream {
      const addr = addressOf(replicaId);
      if (addr === undefined) return new GrpcReplicaStream(undefined, 'unknown member');
      try {
        return new GrpcReplicaStream(pool.get(addr).openReplicate(encodeReplicateBatch, decodeReplicateAck));
      } catch (err) {
        return new GrpcReplicaStream(undefined, unusableAddress(replicaId, err).message);
      }
    },
  };
}

/** A gRPC Replicate call seen as a ReplicaStream. */
class GrpcReplicaStream implements ReplicaStream {
  private ackHandler: ((ack: ReplicationAck) => void) | undefined;
  private closeHandler: ((reason: string) => void) | undefined;
  private closed = false;

  /** Without a call, the stream closes on the next turn with `reason` (the link then retries). */
  constructor(
    private readonly call: ClientDuplexStream<ReplicateBatchMessage, ReplicationAck> | undefined,
    reason = '',
  ) {
    if (!call) {
      setImmediate(() => this.fireClose(reason));
      return;
    }
    call.on('data', (ack: ReplicationAck) => this.ackHandler?.(ack));
    call.on('error', (err: Error) => this.fireClose(err.message));
    call.on('end', () => this.fireClose('stream ended'));
  }

  send(leaderId: string, ops: Parameters<ReplicaStream['send']>[1]): void {
    if (this.closed || !this.call) return;
    this.call.write({ leaderId, ops });
  }

  onAck(handler: (ack: ReplicationAck) => void): void {
    this.ackHandler = handler;
  }

  onClose(handler: (reason: string) => void): void {
    this.closeHandler = handler;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.call?.end();
  }

  private fireClose(reason: string): void {
    if (this.closed && !this.closeHandler) return;
    this.closed = true;
    const handler = this.closeHandler;
    this.closeHandler = undefined;
    handler?.(reason);
  }
}

/** The rebalance module's calls to other nodes, over the internal gRPC server. */
export function grpcRebalanceSink(pool: ClientPool, addressOf: AddressBook, selfId: string): RebalanceSink {
  const client = (memberId: string) => {
    const addr = addressOf(memberId);
    if (addr === undefined) throw new TransportError(memberId, 'unknown member', { maybeApplied: false, unreachable: true });
    return pool.get(addr);
  };
  return {
    async send(target, states, timeoutMs) {
      const res = await client(target).rebalance({ fromNodeId: selfId, states }, timeoutMs);
      return { applied: res.applied };
    },
    async relay(target, states, timeoutMs) {
      const res = await client(target).rebalance({ fromNodeId: selfId, states, relayed: true }, timeoutMs);
      return { applied: res.applied };
    },
    async confirm(target, digests, timeoutMs) {
      const res = await client(target).rebalance({ fromNodeId: selfId, confirm: digests }, timeoutMs);
      return { missing: res.missing.map(bin), arriving: res.arriving.map(bin) };
    },
    async done(target, arcs, timeoutMs) {
      await client(target).rebalance({ fromNodeId: selfId, done: arcs.map((a) => ({ from: a.from, to: a.to })) }, timeoutMs);
    },
    async fetch(member, keys, chain) {
      return client(member).fetchKeys(selfId, keys.map(bytes), chain);
    },
    async scan(member, from, to, args, chain) {
      const res = await client(member).scanRange(selfId, from, to, args.map(bytes), chain);
      return { keys: res.keys.map(bin), next: res.next };
    },
    async fetchRange(member, forId, from, to, timeoutMs) {
      return client(member).fetchRange(selfId, forId, from, to, timeoutMs);
    },
  };
}
