import type { Logger } from 'pino';
import type { BinStr } from '../command/index.js';
import { Deque, splitByBytes } from '../store/index.js';
import type { EvictedKey, KeyStateMessage, ReplicaStream, ReplicaTransport, ReplicatedWrite, ReplicationAck, ReplicationOp } from './types.js';

/** Told once the replica applied a write (a sync write counting its acks). */
export interface AckWaiter {
  applied(): void;
}

interface Waiter {
  seq: number;
  readonly key: BinStr;
  readonly waiter: AckWaiter;
}

/** Room kept in a batch for the leader's id and the message's framing. */
const BATCH_HEADER_BYTES = 1024;

/**
 * An op's size on the wire, from above: its strings' bytes plus, per string and per op, more
 * than the tags, lengths and numbers protobuf adds.
 */
export function opBytes(op: ReplicationOp): number {
  const { write, state, evicted } = op;
  const head =
    write !== undefined ? write.name.length + write.key.length : state !== undefined ? state.key.length + state.type.length : (evicted?.key.length ?? 0);
  const rest = write !== undefined ? write.args : state !== undefined ? state.value : [];
  let bytes = 64 + head + 16;
  for (let i = 0; i < rest.length; i++) bytes += rest[i]!.length + 8;
  return bytes;
}

/** Reconnect delays after consecutive stream failures, so a down replica is not hammered. */
const BACKOFF_MS = [0, 100, 250, 500, 1000];

/**
 * The leader's side of replication to one replica: assigns sequence numbers in apply order,
 * batches what is queued in one tick, and resolves each write's waiter when the replica acks it.
 * When the stream breaks, the keys of unacknowledged (or unsent) ops are resent as whole states
 * on a new stream (a write whose ack was lost is then confirmed by its key's state, which is at
 * least as new), so a replica converges instead of diverging. Evictions are resent as evictions.
 */
export class ReplicaLink {
  private stream: ReplicaStream | undefined;
  private nextSeq = 1;
  private queue: ReplicationOp[] = [];
  private flushScheduled = false;
  /**
   * Ops sent and not acked yet, by seq: the key a write or state touched, or the eviction
   * itself (a broken stream resends evictions as they are: a state says nothing of one).
   */
  private readonly unacked = new Map<number, BinStr | EvictedKey>();
  /** Writes waiting for their ack, in seq order: an ack resolves a prefix. */
  private waiters = new Deque<Waiter>();
  /** opBytes of the ops in `queue`. */
  private queuedBytes = 0;
  /** Flushes sent and not wholly acked: the last seq each carried and its ops' bytes. */
  private inFlight = new Deque<{ lastSeq: number; bytes: number }>();
  private inFlightBytes = 0;
  private closed = false;
  private failures = 0;
  /**
   * Earliest performance.now() ms a new stream may be opened after failures: monotonic, so a
   * wall clock stepped back does not stretch the backoff by the size of the step.
   */
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /**
   * performance.now() ms of the last progress while ops were pending: the first op queued after
   * none was, or the last ack. The time since is how long the replica has acknowledged nothing
   * it was sent (stalledMs).
   */
  private waitingSince = 0;

  constructor(
    private readonly replicaId: string,
    private readonly deps: {
      leaderId: string;
      transport: ReplicaTransport;
      exportState: (key: BinStr) => KeyStateMessage;
      log: Logger;
    },
    private readonly maxBatch: number,
    /** limits.max_message_bytes: a batch is cut to stay under it (0: no bound). */
    private readonly maxBatchBytes = 0,
  ) {}

  /** Queues a write; `waiter.applied()` is called once the replica has applied it (or newer state). */
  send(write: ReplicatedWrite, waiter: AckWaiter): void {
    const seq = this.enqueue(write, undefined);
    this.waiters.pushBack({ seq, key: write.key, waiter });
  }

  /**
   * Calls `waiter.applied()` once the replica has acked every op sent or queued so far (or at
   * once when none is pending): a write that changed nothing is confirmed this way, since the
   * state it answers with may be an earlier write's still on its way.
   */
  sendBarrier(key: BinStr, waiter: AckWaiter): void {
    if (this.pending === 0) {
      waiter.applied();
      return;
    }
    // The last seq handed out: waiters stay in seq order (settle relies on it).
    this.waiters.pushBack({ seq: this.nextSeq - 1, key, waiter });
  }

  /** Queues a write without waiting for it (async mode). */
  sendAsync(write: ReplicatedWrite): void {
    this.enqueue(write, undefined);
  }

  /**
   * Queues the leader's eviction of a key, in order with its writes; nothing waits for it. Never
   * flushes at once: it is called from inside the store's eviction, which a flush (exporting
   * an oversized write's state) must not re-enter.
   */
  sendEvicted(evicted: EvictedKey): void {
    this.enqueue(undefined, undefined, evicted);
  }

  get pending(): number {
    return this.unacked.size + this.queue.length;
  }

  /** opBytes of the ops queued or unacknowledged (from above, as opBytes is). */
  get pendingBytes(): number {
    return this.queuedBytes + this.inFlightBytes;
  }

  /** Ms for which ops have been pending with no ack at `now` (performance.now()); 0 when none are. */
  stalledMs(now: number): number {
    return this.pending === 0 ? 0 : now - this.waitingSince;
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stream?.close();
    this.stream = undefined;
    this.waiters = new Deque();
    this.queue = [];
    this.queuedBytes = 0;
    this.inFlight = new Deque();
    this.inFlightBytes = 0;
  }

  private enqueue(write: ReplicatedWrite | undefined, state: KeyStateMessage | undefined, evicted?: EvictedKey): number {
    if (this.pending === 0) this.waitingSince = performance.now();
    const seq = this.nextSeq++;
    const op: ReplicationOp = evicted === undefined ? { seq, write, state } : { seq, evicted };
    this.queue.push(op);
    this.queuedBytes += opBytes(op);
    if (this.queue.length >= this.maxBatch && evicted === undefined) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return seq;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.queue.length === 0 || this.retryTimer) return;
    const wait = this.retryAt - performance.now();
    if (!this.stream && wait > 0) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.flush();
      }, wait);
      this.retryTimer.unref();
      return;
    }
    const ops = this.queue;
    this.queue = [];
    this.inFlight.pushBack({ lastSeq: ops[ops.length - 1]!.seq, bytes: this.queuedBytes });
    this.inFlightBytes += this.queuedBytes;
    this.queuedBytes = 0;
    for (const op of ops) this.unacked.set(op.seq, op.evicted ?? (op.write?.key ?? op.state?.key)!);
    const stream = this.openStream();
    const limit = this.maxBatchBytes - BATCH_HEADER_BYTES;
    if (limit <= 0) {
      stream.send(this.deps.leaderId, ops);
      return;
    }
    // A write too large for a message as a command (HDEL of many fields: its key stays small)
    // goes as its key's state instead, which is what a broken stream would resend anyway.
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.write !== undefined && opBytes(op) > limit) ops[i] = { seq: op.seq, state: this.deps.exportState(op.write.key) };
    }
    // Ops that fit a message one by one may not fit one together: the replica's gRPC server
    // would refuse the message and the stream would break, then again on every resend.
    for (const run of splitByBytes(ops, opBytes, limit)) {
      // Only a key grown past the bound under a larger limit (or another node's) gets here: it
      // breaks the stream on every resend until limits.max_message_bytes is raised again.
      if (run.bytes > limit) this.deps.log.warn({ replica: this.replicaId, bytes: run.bytes, limit }, 'a replication op does not fit one message');
      stream.send(this.deps.leaderId, run.items);
    }
  }

  private openStream(): ReplicaStream {
    if (this.stream) return this.stream;
    const stream = this.deps.transport.open(this.replicaId);
    stream.onAck((ack) => this.onAck(ack));
    stream.onClose((reason) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.onBroken(reason);
    });
    this.stream = stream;
    return stream;
  }

  private onAck(ack: ReplicationAck): void {
    this.failures = 0;
    this.waitingSince = performance.now();
    for (const seq of this.unacked.keys()) {
      if (seq > ack.ackedSeq) break;
      this.unacked.delete(seq);
    }
    for (let f = this.inFlight.at(0); f !== undefined && f.lastSeq <= ack.ackedSeq; f = this.inFlight.at(0)) {
      this.inFlight.popFront();
      this.inFlightBytes -= f.bytes;
    }
    const moved = new Map<BinStr, number>();
    for (const key of ack.resyncKeys) moved.set(key, this.resync(key));
    this.settle(ack.ackedSeq, moved);
  }

  private onBroken(reason: string): void {
    if (this.closed) return;
    this.failures++;
    this.retryAt = performance.now() + BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!;
    const keys = new Set<BinStr>();
    const evictions: EvictedKey[] = [];
    for (const sent of this.unacked.values()) {
      if (typeof sent === 'string') keys.add(sent);
      else evictions.push(sent);
    }
    // Ops queued and not sent yet are resent the same way, after those: left in the queue, a
    // write there went ahead of an eviction resent behind it, and a key written again in the
    // millisecond it was evicted (so at the version evicted) lost its new copy on the replica.
    for (const op of this.queue) {
      if (op.evicted !== undefined) evictions.push(op.evicted);
      else keys.add((op.write?.key ?? op.state?.key)!);
    }
    this.queue = [];
    this.queuedBytes = 0;
    this.unacked.clear();
    this.inFlight = new Deque();
    this.inFlightBytes = 0;
    this.deps.log.debug({ replica: this.replicaId, reason, keys: keys.size }, 'replication stream broken; resyncing');
    // Evictions first, as they were: the leader's state of a key it holds no copy of is a
    // version-0 tombstone, below any replica's copy; states after them win where a key came back.
    // Resent, the ops are no progress: the replica still holds none of them (a replica that is
    // down breaks every stream opened to it).
    const since = this.waitingSince;
    for (const e of evictions) this.enqueue(undefined, undefined, e);
    const moved = new Map<BinStr, number>();
    for (const key of keys) moved.set(key, this.resync(key));
    this.waitingSince = since;
    this.settle(0, moved);
  }

  /**
   * Resolves waiters whose op is acked; a waiter whose key is being resynced now waits for
   * that key's state op instead (a later seq). Waiters are kept in seq order, so an ack costs
   * what it resolves, not a pass over everything in flight; only a resync re-sorts them.
   */
  private settle(ackedSeq: number, moved: ReadonlyMap<BinStr, number>): void {
    if (moved.size > 0) {
      const pending = this.waiters.toArray();
      for (const w of pending) {
        const resyncSeq = moved.get(w.key);
        if (resyncSeq !== undefined && w.seq < resyncSeq) w.seq = resyncSeq;
      }
      this.waiters.replaceAll(pending.sort((a, b) => a.seq - b.seq));
    }
    for (let w = this.waiters.at(0); w !== undefined && w.seq <= ackedSeq; w = this.waiters.at(0)) {
      this.waiters.popFront();
      w.waiter.applied();
    }
  }

  private resync(key: BinStr): number {
    return this.enqueue(undefined, this.deps.exportState(key));
  }
}
