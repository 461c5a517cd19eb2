import type { HeartbeatSender } from '../membership/index.js';
import { TransportError } from '../peer/index.js';
import type { RebalanceSink } from '../rebalance/index.js';
import type { ReplicaStream, ReplicaTransport, ReplicationAck } from '../replication/index.js';
import type { Forwarder } from '../router/index.js';

// A test-only seam (the fault suite, test/faults/): wraps this node's outgoing node-to-node
// traffic so that messages can be dropped, delayed or duplicated, and peers partitioned, on
// the real gRPC path. Production nodes never pass LinkFaults, and then nothing is wrapped.

/** The kind of node-to-node message (one per adapter in grpc-adapters.ts). */
export type FaultChannel = 'heartbeat' | 'forward' | 'replicate' | 'rebalance';

/** What happens to one message. Nothing set: delivered as is. */
export interface MessageFate {
  /** Lost before it arrived ('request') or after it was handled ('reply'): the call fails. */
  readonly drop?: 'request' | 'reply';
  /** Held this long before it is sent (order on one replication stream is kept). */
  readonly delayMs?: number;
  /**
   * Delivered twice. Applied only where the protocol must tolerate a repeat (heartbeats,
   * hand-off and pull messages, replication batches); a forwarded command is a client's
   * command, which the gRPC stream never repeats, so `forward` ignores it.
   */
  readonly duplicate?: boolean;
  /**
   * The call fails at once, as after a timeout, yet the request is delivered when this settles:
   * a message stuck in TCP's retransmission queue during a partition and delivered after it.
   */
  readonly deliverLater?: Promise<void>;
  /** Told how a late delivery ended: undefined when the receiver ran it, else its error. */
  readonly delivered?: (err: unknown) => void;
}

/** Decides the fate of each message this node sends to the peer at internal address `to`. */
export interface LinkFaults {
  fate(to: string, channel: FaultChannel): MessageFate;
}

export interface Adapters {
  readonly sender: HeartbeatSender;
  readonly forwarder: Forwarder;
  readonly replicas: ReplicaTransport;
  readonly sink: RebalanceSink;
}

/** The adapters with `faults` applied (member ids resolved to internal addresses by `addressOf`). */
export function withFaults(faults: LinkFaults, adapters: Adapters, addressOf: (id: string) => string | undefined): Adapters {
  const addr = (id: string) => addressOf(id) ?? id;
  const { sender, forwarder, replicas, sink } = adapters;
  const rb = <T>(id: string, call: () => Promise<T>) => faulty(faults.fate(addr(id), 'rebalance'), addr(id), call, true);
  return {
    sender: { sendHeartbeat: (to, entries) => faulty(faults.fate(to, 'heartbeat'), to, () => sender.sendHeartbeat(to, entries), true) },
    forwarder: { forward: (id, command) => faulty(faults.fate(addr(id), 'forward'), addr(id), () => forwarder.forward(id, command), false) },
    replicas: { open: (id) => new FaultyReplicaStream(replicas.open(id), () => faults.fate(addr(id), 'replicate')) },
    sink: {
      send: (id, states, timeoutMs) => rb(id, () => sink.send(id, states, timeoutMs)),
      relay: (id, states, timeoutMs) => rb(id, () => sink.relay(id, states, timeoutMs)),
      confirm: (id, digests, timeoutMs) => rb(id, () => sink.confirm(id, digests, timeoutMs)),
      done: (id, arcs, timeoutMs) => rb(id, () => sink.done(id, arcs, timeoutMs)),
      fetch: (id, keys, chain) => rb(id, () => sink.fetch(id, keys, chain)),
      scan: (id, from, to, args, chain) => rb(id, () => sink.scan(id, from, to, args, chain)),
      fetchRange: (id, forId, from, to, timeoutMs) => rb(id, () => sink.fetchRange(id, forId, from, to, timeoutMs)),
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One request-reply call under `fate`. A lost message rejects as a transport failure would. */
async function faulty<T>(fate: MessageFate, to: string, call: () => Promise<T>, repeatable: boolean): Promise<T> {
  if (fate.delayMs) await sleep(fate.delayMs);
  if (fate.drop === 'request') throw new TransportError(to, 'fault injected: request lost', { maybeApplied: false });
  if (fate.deliverLater) {
    void fate.deliverLater.then(() => call()).then(
      () => fate.delivered?.(undefined),
      (err: unknown) => fate.delivered?.(err),
    );
    throw new TransportError(to, 'fault injected: no reply in time (the request is still on its way)');
  }
  const first = call();
  if (fate.duplicate && repeatable) void call().catch(() => undefined);
  const reply = await first;
  if (fate.drop === 'reply') throw new TransportError(to, 'fault injected: reply lost');
  return reply;
}

/**
 * A replication stream under faults. A gRPC stream is ordered and never loses one message
 * while carrying the next, so a dropped batch breaks the stream (as a reset would); delays
 * keep the order; a duplicated batch is sent twice in a row.
 */
class FaultyReplicaStream implements ReplicaStream {
  private chain: Promise<void> = Promise.resolve();
  private closeHandler: ((reason: string) => void) | undefined;
  private broken = false;

  constructor(
    private readonly inner: ReplicaStream,
    private readonly fate: () => MessageFate,
  ) {
    inner.onClose((reason) => this.fireClose(reason));
  }

  send(leaderId: string, ops: Parameters<ReplicaStream['send']>[1]): void {
    const fate = this.fate();
    this.chain = this.chain.then(async () => {
      if (fate.delayMs) await sleep(fate.delayMs);
      if (this.broken) return;
      if (fate.drop !== undefined) {
        this.inner.close();
        this.fireClose('fault injected: stream reset');
        return;
      }
      this.inner.send(leaderId, ops);
      if (fate.duplicate) this.inner.send(leaderId, ops);
    });
  }

  onAck(handler: (ack: ReplicationAck) => void): void {
    this.inner.onAck((ack) => {
      if (!this.broken) handler(ack);
    });
  }

  onClose(handler: (reason: string) => void): void {
    this.closeHandler = handler;
  }

  close(): void {
    this.broken = true;
    this.inner.close();
  }

  private fireClose(reason: string): void {
    if (this.broken && this.closeHandler === undefined) return;
    this.broken = true;
    const handler = this.closeHandler;
    this.closeHandler = undefined;
    handler?.(reason);
  }
}
