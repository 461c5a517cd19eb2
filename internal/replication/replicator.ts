import type { Logger } from 'pino';
import type { BinStr } from '../command/index.js';
import { Deque } from '../store/index.js';
import { GokvError } from '../errors/index.js';
import { ReplicaLink } from './replica-link.js';
import type { KeyStateMessage, ReplicaTransport, ReplicatedWrite } from './types.js';

export interface ReplicatorOptions {
  /** sync: the client's reply waits for replica acks; async: it does not (replication.mode). */
  readonly mode: 'sync' | 'async';
  /** How long a sync write waits for acks (messaging.message_timeout). */
  readonly timeoutMs: number;
  readonly maxBatch: number;
  /** limits.max_message_bytes: a batch to a replica is cut to stay under it (0 or unset: no bound). */
  readonly maxBatchBytes?: number;
  /**
   * Ops a replica may be behind (queued or unacknowledged) before writes it replicates are
   * refused: limits.max_in_flight_per_stream batches of maxBatch (0 or unset: no bound).
   */
  readonly maxBacklogOps?: number;
  /** The same in bytes (opBytes, from above; 0 or unset: no bound). */
  readonly maxBacklogBytes?: number;
}

/** What the timeout needs of a sync write, whatever its result's type. */
interface Waiting {
  readonly deadline: number;
  readonly need: number;
  readonly acked: number;
  settled: boolean;
  reject(err: GokvError): void;
}

/**
 * A sync write waiting for `need` replica acks until `deadline` (performance.now() ms). Each
 * replica's link calls `applied` on it directly: no closure per write.
 */
class SyncWrite<T> implements Waiting {
  acked = 0;
  settled = false;
  resolve!: (result: T) => void;
  reject!: (err: GokvError) => void;

  constructor(
    readonly deadline: number,
    readonly need: number,
    private readonly result: T,
    private readonly onSettled: () => void,
  ) {}

  applied(): void {
    if (this.settled || ++this.acked < this.need) return;
    this.settled = true;
    this.resolve(this.result);
    this.onSettled();
  }
}

/**
 * Ships a leader's writes to the key's replicas, one ordered link per replica. In sync mode
 * `replicate` resolves once `required` replicas applied the write and rejects with UNCERTAIN
 * when they do not within the timeout: the write is applied here and may be on replicas, so
 * the client must not take it as either done or undone.
 */
export class Replicator {
  private readonly links = new Map<string, ReplicaLink>();
  /**
   * Sync writes in the order they were sent. Every write gets the same timeout, so their
   * deadlines are in this order too and one timer, set for the oldest unsettled write, replaces
   * a timer per write.
   */
  private readonly waiting = new Deque<Waiting>();
  private readonly dropSettledFn = () => this.dropSettled();
  private timer: NodeJS.Timeout | undefined;
  /** Set by close: a stopping node opens no new streams (nothing would ever close them). */
  private closed = false;

  constructor(
    private readonly deps: {
      selfId: string;
      transport: ReplicaTransport;
      exportState: (key: BinStr) => KeyStateMessage;
      log: Logger;
    },
    private readonly options: ReplicatorOptions,
  ) {}

  /**
   * Ships `write` to `replicaIds`. In sync mode (and `required` > 0) the promise resolves with
   * `result` once `required` of them applied it (the caller's reply: no promise layer of its
   * own); otherwise nothing waits and undefined is returned.
   */
  replicate<T>(write: ReplicatedWrite, replicaIds: readonly string[], required: number, result: T): Promise<T> | undefined {
    if (replicaIds.length === 0) return undefined;
    if (this.closed) return this.notSent(required, result);
    if (this.options.mode === 'async' || required <= 0) {
      for (const id of replicaIds) this.link(id).sendAsync(write);
      return undefined;
    }
    const { w, promise } = this.syncWrite(Math.min(required, replicaIds.length), result);
    for (const id of replicaIds) this.link(id).send(write, w);
    return promise;
  }

  /**
   * For a write that changed nothing (SET to the value a key holds, HSET of an equal field):
   * its reply states the key as it is here, which may be an earlier write still on its way to
   * the replicas. In sync mode the promise resolves with `result` once `required` replicas have
   * acked everything this node sent them before (undefined when they already have), so the ack
   * never stands on one copy: a client retrying an UNCERTAIN SET got OK at once while only the
   * leader held the value, and lost it with the leader. Rejects with UNCERTAIN as `replicate`.
   */
  confirm<T>(key: BinStr, replicaIds: readonly string[], required: number, result: T): Promise<T> | undefined {
    if (replicaIds.length === 0 || this.options.mode === 'async' || required <= 0) return undefined;
    if (this.closed) return this.notSent(required, result);
    const need = Math.min(required, replicaIds.length);
    let idle = 0;
    for (const id of replicaIds) if ((this.links.get(id)?.pending ?? 0) === 0) idle++;
    if (idle >= need) return undefined;
    const { w, promise } = this.syncWrite(need, result);
    for (const id of replicaIds) {
      const link = this.links.get(id);
      if (link === undefined) w.applied();
      else link.sendBarrier(key, w);
    }
    return promise;
  }

  /** A sync write waiting for `need` acks under the timeout, and the promise it settles. */
  private syncWrite<T>(need: number, result: T): { w: SyncWrite<T>; promise: Promise<T> } {
    const w = new SyncWrite(performance.now() + this.options.timeoutMs, need, result, this.dropSettledFn);
    const promise = new Promise<T>((resolve, reject) => {
      w.resolve = resolve;
      w.reject = reject;
    });
    this.waiting.pushBack(w);
    this.armTimer();
    return { w, promise };
  }

  /**
   * Ships the leader's eviction of `key` at `version` to `replicaIds`, in order with its writes
   * (as Redis sends its replicas a DEL). No client waits for it, in either mode.
   */
  evicted(key: BinStr, version: number, replicaIds: readonly string[]): void {
    if (this.closed) return;
    for (const id of replicaIds) this.link(id).sendEvicted({ key, version });
  }

  /**
   * Why a write to these replicas must be refused, if it must: one of them is a full backlog
   * behind (a replica that is alive but reads or acks slower than writes come). Asked before
   * the write is applied, so a refused write is not applied anywhere; without this the
   * backlog, the gRPC stream's buffer and the waiters grew with every write for as long as
   * the replica stayed slow (in async mode with no limit at all).
   */
  behind(replicaIds: readonly string[]): string | undefined {
    const maxOps = this.options.maxBacklogOps ?? 0;
    const maxBytes = this.options.maxBacklogBytes ?? 0;
    if (maxOps <= 0 && maxBytes <= 0) return undefined;
    for (const id of replicaIds) {
      const link = this.links.get(id);
      if (link === undefined) continue;
      if (maxOps > 0 && link.pending >= maxOps) return `replica ${id} is ${link.pending} ops behind (at most ${maxOps}); retry`;
      if (maxBytes > 0 && link.pendingBytes >= maxBytes) return `replica ${id} is ${link.pendingBytes} bytes behind (at most ${maxBytes}); retry`;
    }
    return undefined;
  }

  /**
   * Async mode: why a write to these replicas must be refused, if it must: every one of them has
   * acknowledged nothing it was sent for `timeoutMs` (messaging.message_timeout), so the write
   * would stand on this node alone. Asked before the write is applied. A leader cut off from
   * its replicas by a partition otherwise acknowledged every write until it held them dead
   * (messaging.dead_after), and the majority's newer copies replaced those writes on healing: a
   * review lost 43k of 88k acknowledged writes so. Like Redis's min-replicas-max-lag, this
   * bounds that window to about `timeoutMs`. Sync mode needs no check: such writes end
   * UNCERTAIN.
   */
  unacknowledged(replicaIds: readonly string[]): string | undefined {
    if (this.options.mode !== 'async' || replicaIds.length === 0) return undefined;
    const now = performance.now();
    for (const id of replicaIds) {
      const link = this.links.get(id);
      if (link === undefined || link.stalledMs(now) < this.options.timeoutMs) return undefined;
    }
    return `no replica of this key has acknowledged a write for ${this.options.timeoutMs} ms (messaging.message_timeout), so an async write would stand on this node alone; retry`;
  }

  /** Writes queued or unacknowledged per replica (for status and metrics). */
  lag(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, link] of this.links) out.set(id, link.pending);
    return out;
  }

  /** Closes the link to a member that is dead, left or no longer a replica of anything. */
  drop(replicaId: string): void {
    this.links.get(replicaId)?.close();
    this.links.delete(replicaId);
  }

  close(): void {
    this.closed = true;
    // Writes still waiting keep the timer: they fail as UNCERTAIN at their deadline.
    if (this.waiting.length === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  /**
   * A write made after close (a forward still served while the node stops): sent to no replica.
   * A sync write is applied here only, so its client must not take it as done.
   */
  private notSent<T>(required: number, result: T): Promise<T> | undefined {
    if (this.options.mode === 'async' || required <= 0) return undefined;
    return Promise.reject(
      new GokvError('UNCERTAIN', 'ERR write applied on a leader that is stopping and sent to no replica: it may or may not persist'),
    );
  }

  /** Sets the timer for the oldest write still waiting, if none is set. */
  private armTimer(): void {
    const oldest = this.waiting.at(0);
    if (this.timer !== undefined || oldest === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.expire();
      },
      Math.ceil(Math.max(0, oldest.deadline - performance.now())),
    );
  }

  /** Fails every write past its deadline with UNCERTAIN, then sets the timer for the next. */
  private expire(): void {
    const now = performance.now();
    for (let w = this.waiting.at(0); w !== undefined && w.deadline <= now; w = this.waiting.at(0)) {
      this.waiting.popFront();
      if (w.settled) continue;
      w.settled = true;
      w.reject(
        new GokvError(
          'UNCERTAIN',
          `ERR write applied on the leader but confirmed by ${w.acked} of ${w.need} replicas within ${this.options.timeoutMs} ms: it may or may not persist`,
        ),
      );
    }
    this.dropSettled();
    this.armTimer();
  }

  /**
   * Drops settled writes from the front. The timer stays set when nothing waits: it then fires
   * once and finds nothing, which costs less than clearing and setting it around every write.
   */
  private dropSettled(): void {
    while (this.waiting.at(0)?.settled === true) this.waiting.popFront();
  }

  private link(replicaId: string): ReplicaLink {
    let link = this.links.get(replicaId);
    if (!link) {
      link = new ReplicaLink(
        replicaId,
        {
          leaderId: this.deps.selfId,
          transport: this.deps.transport,
          exportState: this.deps.exportState,
          log: this.deps.log,
        },
        this.options.maxBatch,
        this.options.maxBatchBytes,
      );
      this.links.set(replicaId, link);
    }
    return link;
  }
}
