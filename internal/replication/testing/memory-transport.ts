import type { ReplicaApplier } from '../replica-applier.js';
import type { ReplicaStream, ReplicaTransport, ReplicationAck, ReplicationOp } from '../types.js';

/**
 * An in-memory replication transport: batches reach the replica's applier on a later tick and
 * acks come back the same way, like a gRPC stream. Tests can break the current stream, hold
 * acks back, or make every new stream fail (a replica that is down).
 */
export class MemoryReplicaTransport implements ReplicaTransport {
  private current: MemoryStream | undefined;
  down = false;
  holdAcks = false;
  readonly held: Array<() => void> = [];
  opened = 0;
  delivered = 0;
  /** Every batch sent, as its ops (each batch is one message on a real stream). */
  readonly batches: Array<readonly ReplicationOp[]> = [];

  constructor(private applier: ReplicaApplier) {}

  /** Swaps the replica behind the transport (a replica that restarted empty). */
  replaceApplier(applier: ReplicaApplier): void {
    this.applier = applier;
  }

  open(_replicaId: string): ReplicaStream {
    this.opened++;
    const stream = new MemoryStream(this);
    this.current = stream;
    if (this.down) setImmediate(() => stream.fail('connection refused'));
    return stream;
  }

  /** Breaks the open stream: in-flight batches and acks are lost. */
  breakStream(): void {
    this.current?.fail('stream reset');
  }

  releaseAcks(): void {
    for (const release of this.held.splice(0)) release();
  }

  deliver(stream: MemoryStream, ops: readonly ReplicationOp[]): void {
    setImmediate(() => {
      stream.waiting.push(ops);
      this.drain(stream);
    });
  }

  /** Applies the stream's batches in order; one applied asynchronously holds the rest, as the gRPC handler does. */
  private drain(stream: MemoryStream): void {
    while (!stream.busy && stream.waiting.length > 0) {
      const ops = stream.waiting.shift()!;
      if (stream.dead) return;
      this.delivered += ops.length;
      const ack = this.applier.applyInTurns(ops);
      if (!(ack instanceof Promise)) {
        this.sendAck(stream, ack);
        continue;
      }
      stream.busy = true;
      void ack.then((settled) => {
        stream.busy = false;
        this.sendAck(stream, settled);
        this.drain(stream);
      });
    }
  }

  private sendAck(stream: MemoryStream, ack: ReplicationAck): void {
    const send = () => {
      if (!stream.dead) stream.ack(ack);
    };
    if (this.holdAcks) this.held.push(send);
    else setImmediate(send);
  }
}

class MemoryStream implements ReplicaStream {
  dead = false;
  /** Batches delivered and not applied yet, behind one being applied asynchronously (`busy`). */
  readonly waiting: Array<readonly ReplicationOp[]> = [];
  busy = false;
  private ackHandler: ((ack: ReplicationAck) => void) | undefined;
  private closeHandler: ((reason: string) => void) | undefined;

  constructor(private readonly transport: MemoryReplicaTransport) {}

  send(_leaderId: string, ops: readonly ReplicationOp[]): void {
    this.transport.batches.push(ops);
    if (!this.dead) this.transport.deliver(this, ops);
  }

  onAck(handler: (ack: ReplicationAck) => void): void {
    this.ackHandler = handler;
  }

  onClose(handler: (reason: string) => void): void {
    this.closeHandler = handler;
  }

  close(): void {
    this.dead = true;
  }

  ack(ack: ReplicationAck): void {
    this.ackHandler?.(ack);
  }

  fail(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.closeHandler?.(reason);
  }
}
