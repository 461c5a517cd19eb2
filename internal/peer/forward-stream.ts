import type * as grpc from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import { GokvError, ERROR_CODES, type ErrorCode } from '../errors/index.js';
import { forwardedCommandBytes, type ForwardBatchMessage, type ForwardedCommandMessage, type ForwardReplyBatchMessage } from '../wire/index.js';
import { splitByBytes } from '../store/index.js';
import { TransportError } from './transport-error.js';

export interface ForwardRequest {
  readonly name: string;
  /** Binary string (one byte per char). */
  readonly key: string;
  readonly args: readonly string[];
  readonly hops: number;
  /** Set when the leader could not be reached and a replica may answer a read. */
  readonly replicaRead?: boolean;
}

interface Pending {
  resolve(reply: Uint8Array): void;
  reject(err: Error): void;
  /** performance.now() ms past which the command fails (see expire). */
  readonly deadline: number;
  /** The call its batch went out on; unset while it waits in the queue for the next flush. */
  call?: grpc.ClientDuplexStream<ForwardBatchMessage, ForwardReplyBatchMessage>;
}

/**
 * Forwards commands to one peer over a single long-lived Forward stream. Commands queued in
 * the same tick travel in one batch (one gRPC message), which costs a few microseconds per
 * command instead of a unary call's ~100. Replies are matched by id and may arrive in any
 * order. A broken stream fails the commands it carried as transport errors and is reopened on
 * the next flush; commands still queued were never written, so they go out on the new stream
 * rather than fail (failed as "not applied" and then written, a retried write would apply twice).
 * For the same reason a command that times out while still queued is dropped, not sent late.
 *
 * Every command gets the same timeout, so `pending` (in send order) is in deadline order too:
 * one timer, set for the oldest command, replaces a timer per command.
 */
export class ForwardStream {
  private call: grpc.ClientDuplexStream<ForwardBatchMessage, ForwardReplyBatchMessage> | undefined;
  private readonly pending = new Map<number, Pending>();
  private queue: ForwardedCommandMessage[] = [];
  private flushScheduled = false;
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  /** Whether the current stream has heard from the peer (headers or data). */
  private connected = false;
  /**
   * The current stream's write buffer is full (write returned false): batches wait in `queue`
   * until it drains. Written anyway, they piled up in grpc-js's buffer for as long as the peer
   * read slowly, commands that had already timed out included.
   */
  private full = false;

  constructor(
    private readonly peer: string,
    private readonly open: () => grpc.ClientDuplexStream<ForwardBatchMessage, ForwardReplyBatchMessage>,
    private readonly options: {
      timeoutMs: number;
      maxBatch: number;
      /** limits.max_message_bytes: a batch is split to stay under it (0 or unset: no bound). */
      maxBatchBytes?: number;
      origin?: () => { nodeId: string; incarnation: number };
    },
  ) {}

  /** Resolves with the MessagePack reply; rejects with the command's GokvError or a TransportError. */
  send(req: ForwardRequest): Promise<Uint8Array> {
    const id = this.nextId++;
    // Pending before queued: a full batch flushes right here and marks what it carries.
    const deadline = performance.now() + this.options.timeoutMs;
    const reply = new Promise<Uint8Array>((resolve, reject) => this.pending.set(id, { resolve, reject, deadline, call: undefined }));
    this.armTimer();
    // Key and arguments stay binary strings: wire/forward-codec.ts writes them into the message.
    this.queue.push({ id, name: req.name, key: req.key, args: req.args, hops: req.hops, replicaRead: req.replicaRead ?? false });
    if (this.queue.length >= this.options.maxBatch) this.flush();
    else this.scheduleFlush();
    return reply;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.queue.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  close(): void {
    this.queue = [];
    this.failAll('stream closed', true);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.call?.end();
    this.call = undefined;
  }

  /**
   * Writes what is queued in batches of at most maxBatch commands, until the buffer is full:
   * what queued while it was full goes out in batches of the usual size (as one, its leader
   * ran every command in one tick), and what is left waits for the next drain, in order.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0 || this.full) return;
    const queue = this.queue;
    this.queue = [];
    const max = this.options.maxBatch;
    let i = 0;
    while (i < queue.length && !this.full) {
      const end = Math.min(i + max, queue.length);
      this.writeBatch(i === 0 && end === queue.length ? queue : queue.slice(i, end));
      i = end;
    }
    if (i < queue.length) this.queue = queue.slice(i).concat(this.queue);
  }

  private writeBatch(commands: ForwardedCommandMessage[]): void {
    const call = this.stream();
    // Marks what the batch carries, and compacts out (in place, nothing allocated) any command
    // that timed out while queued: its client was told "not applied".
    let kept = 0;
    for (const c of commands) {
      const p = this.pending.get(c.id);
      if (p === undefined) continue;
      p.call = call;
      commands[kept++] = c;
    }
    commands.length = kept;
    if (kept === 0) return;
    const origin = this.options.origin?.();
    const fromNodeId = origin?.nodeId ?? '';
    const fromIncarnation = origin?.incarnation ?? 0;
    const maxBytes = (this.options.maxBatchBytes ?? 0) - BATCH_HEADER_BYTES;
    if (maxBytes <= 0) {
      this.full = !call.write({ commands, fromNodeId, fromIncarnation });
      return;
    }
    // Commands that fit one message each may not fit one together: grpc-js would refuse the
    // message and fail the stream, and with it every command it carried.
    for (const run of splitByBytes(commands, forwardedCommandBytes, maxBytes)) {
      // Runs of several are under maxBytes; one command alone may be over it, and is measured
      // against the real message (BATCH_HEADER_BYTES is only a margin).
      const limit = maxBytes + BATCH_HEADER_BYTES;
      if (run.bytes + loneHeaderBytes(fromNodeId) > limit) {
        this.refuseTooLarge(run.items[0]!, run.bytes, limit);
        continue;
      }
      // A batch already taken from the queue goes out even past a full buffer: by one flush's worth.
      if (!call.write({ commands: run.items, fromNodeId, fromIncarnation })) this.full = true;
    }
  }

  /**
   * One command too large for a message even alone (a RESP command just under the limit, plus
   * what forwarding adds per argument): it fails by itself, never written. Written, it would
   * break the stream and fail every command beside it, and again on each retry.
   */
  private refuseTooLarge(command: ForwardedCommandMessage, bytes: number, limit: number): void {
    const p = this.pending.get(command.id);
    if (p === undefined) return;
    this.pending.delete(command.id);
    p.reject(new GokvError('LIMIT', `ERR command of ${bytes} bytes forwarded to its leader is over limits.max_message_bytes (${limit})`));
  }

  private stream(): grpc.ClientDuplexStream<ForwardBatchMessage, ForwardReplyBatchMessage> {
    if (this.call) return this.call;
    const call = this.open();
    call.on('data', (batch: ForwardReplyBatchMessage) => {
      this.connected = true;
      for (const reply of batch.replies) {
        const p = this.pending.get(reply.id);
        if (!p) continue;
        this.pending.delete(reply.id);
        if (reply.errorCode) p.reject(new GokvError(asCode(reply.errorCode), reply.error ?? ''));
        else p.resolve(reply.response ?? EMPTY_REPLY);
      }
    });
    const broken = (detail: string, maybeApplied = true) => {
      if (this.call !== call) return;
      this.call = undefined;
      this.connected = false;
      this.failAll(detail, maybeApplied, call);
      // Commands still queued were never written: they go out on a new stream.
      this.full = false;
      this.scheduleFlush();
    };
    call.on('drain', () => {
      if (this.call !== call) return;
      this.full = false;
      this.scheduleFlush();
    });
    call.on('metadata', () => (this.connected = true));
    call.on('error', (err: grpc.ServiceError) => {
      // UNAVAILABLE on a stream means the connection could not be made or was lost before any
      // reply: commands may still have been delivered, so only a refused connection is "not
      // applied". A dropped connection (the peer read the batch, ran it, then went away before
      // its first reply, e.g. a node restarting) also has no reply yet: it is not a refusal.
      const refused = err.code === grpcStatus.UNAVAILABLE && !this.connected && NOT_CONNECTED.test(err.details ?? '');
      broken(err.details || err.message, !refused);
    });
    call.on('end', () => broken('stream ended'));
    this.call = call;
    return call;
  }

  /**
   * Sets the timer for the oldest pending command, unless one is set. It stays set when the
   * command is answered first: it then fires once and re-arms for the next, which costs less
   * than clearing and setting a timer around every command.
   */
  private armTimer(): void {
    if (this.timer !== undefined) return;
    const oldest = this.pending.values().next();
    if (oldest.done === true) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.expire();
      },
      Math.ceil(Math.max(0, oldest.value.deadline - performance.now())),
    );
  }

  /**
   * Fails every command past its deadline. One still queued (the loop was held up past the
   * timeout, e.g. the process was stopped) was never written, and flush skips it now, so it is
   * surely not applied.
   */
  private expire(): void {
    const now = performance.now();
    let dropped = false;
    for (const [id, p] of this.pending) {
      if (p.deadline > now) break;
      this.pending.delete(id);
      dropped ||= p.call === undefined;
      p.reject(new TransportError(this.peer, `no reply within ${this.options.timeoutMs} ms`, { maybeApplied: p.call !== undefined }));
    }
    // Waiting for a drain, the queue keeps what timed out in it: dropped now, not at the flush.
    if (dropped && this.full) this.queue = this.queue.filter((c) => this.pending.has(c.id));
    this.armTimer();
  }

  /** Fails what `call` carried (every pending command when no call is given). */
  private failAll(detail: string, maybeApplied: boolean, call?: Pending['call']): void {
    for (const [id, p] of this.pending) {
      if (call !== undefined && p.call !== call) continue;
      p.reject(new TransportError(this.peer, detail, { maybeApplied }));
      this.pending.delete(id);
    }
  }
}

/** Room kept in a forward batch for its sender's id and incarnation. */
const BATCH_HEADER_BYTES = 1024;

/** A batch's bytes beside its commands, from above: the sender's id and incarnation fields. */
const loneHeaderBytes = (fromNodeId: string): number => fromNodeId.length + 16;

/** grpc-js's wording for a call that never got a connection (so nothing was sent). */
const EMPTY_REPLY = new Uint8Array(0);

const NOT_CONNECTED = /^No connection established|Failed to connect|ECONNREFUSED|Channel closed before call started/i;

const asCode = (code: string): ErrorCode =>
  (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'ERR';
