// A history of client operations, as a checker needs it (Jepsen-style): every operation is
// recorded when it is invoked and again when it completes, ok or failed, with its times, so
// a read can be judged against the writes that were acknowledged before it began.

export type OpKind = 'hset' | 'rpush' | 'lpop' | 'del' | 'expire' | 'hget' | 'lrange';

/** The TTL of the keys the writers expire (WriterOptions.deletes); the checker waits it out. */
export const EXPIRE_MS = 20;

/** The kinds that change the cluster's state (DEL and PEXPIRE remove a hash key, LPOP an item). */
export const isWrite = (op: { readonly kind: OpKind }): boolean => op.kind !== 'hget' && op.kind !== 'lrange';

/** Writes whose reply says whether they changed anything (HSET's 0 is an update, so not HSET). */
const MAY_CHANGE_NOTHING: ReadonlySet<OpKind> = new Set<OpKind>(['del', 'lpop', 'expire']);

export interface Op {
  readonly id: number;
  /** Which writer or reader issued it. */
  readonly process: string;
  readonly kind: OpKind;
  readonly key: string;
  /** The value written (HSET, RPUSH): unique per key, with its writer's sequence number. */
  readonly value?: string;
  readonly seq?: number;
  /** ms since the history began. */
  readonly invokeMs: number;
  completeMs?: number;
  outcome: 'pending' | 'ok' | 'fail';
  /** Error code (UNAVAILABLE, UNCERTAIN...) of a failed op. */
  code?: string;
  /** What a read returned: a hash field's value (or null), a list's items; what an LPOP popped. */
  read?: string | null | string[];
  /** The entry node's address (diagnostics). */
  via?: string;
  /**
   * Of an acknowledged write, false when it changed nothing: a DEL or PEXPIRE that answered 0, an
   * LPOP that answered nil. A node answers those from its copy alone, as it does reads.
   */
  effect?: boolean;
}

export class History {
  readonly ops: Op[] = [];
  /** Wall-clock ms at which the history began (to line it up with node logs). */
  readonly startMs = Date.now();

  now(): number {
    return Date.now() - this.startMs;
  }

  invoke(process: string, kind: OpKind, key: string, value?: string, seq?: number, via?: string): Op {
    const op: Op = { id: this.ops.length, process, kind, key, value, seq, invokeMs: this.now(), outcome: 'pending', via };
    this.ops.push(op);
    return op;
  }

  ok(op: Op, read?: Op['read'], reply?: unknown): void {
    op.outcome = 'ok';
    op.completeMs = this.now();
    if (read !== undefined) op.read = read;
    if (isWrite(op)) op.effect = !(MAY_CHANGE_NOTHING.has(op.kind) && (reply === null || reply === 0 || reply === 0n));
  }

  fail(op: Op, err: unknown): void {
    op.outcome = 'fail';
    op.completeMs = this.now();
    op.code = (err as { code?: string })?.code ?? 'ERR';
  }

  /** Counts of writes by outcome. */
  writes(): { acked: number; failed: number } {
    let acked = 0;
    let failed = 0;
    for (const op of this.ops) {
      if (!isWrite(op)) continue;
      if (op.outcome === 'ok') acked++;
      else if (op.outcome === 'fail') failed++;
    }
    return { acked, failed };
  }

  /** Completion time of the last failed write at or after `sinceMs` (undefined: none failed). */
  lastWriteFailureMs(sinceMs: number): number | undefined {
    let last: number | undefined;
    for (const op of this.ops) {
      if (isWrite(op) && op.outcome === 'fail' && op.invokeMs >= sinceMs) {
        last = Math.max(last ?? 0, op.completeMs ?? op.invokeMs);
      }
    }
    return last;
  }
}
