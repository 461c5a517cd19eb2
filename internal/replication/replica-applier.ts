import type { Logger } from 'pino';
import { executeSpec, lookupCommand } from '../command/index.js';
import { unknownCommand } from '../errors/index.js';
import { buildsInTurns, entryOfInTurns, type EntryType, type KeyState, type Store, type StoredEntry } from '../store/index.js';
import type { KeyStateMessage, ReplicatedWrite, ReplicationAck, ReplicationOp } from './types.js';

/**
 * The replica's side: applies a leader's ops in order. A write applies only when the replica
 * holds exactly the version the leader held before it (`prevVersion`); otherwise the replica
 * asks for the key's whole state instead of diverging. A link never resends a write (after a
 * broken stream it sends states), so "already applied" needs no special case, and versions
 * stamped independently by two nodes are never compared as if one came from the other.
 * States merge by version, so a stale one never overwrites a newer one; at an equal version the
 * leader's state wins.
 */
export class ReplicaApplier {
  constructor(
    private readonly deps: {
      store: Store;
      log: Logger;
      /** Yields to the event loop between the parts of a large state being built (applyInTurns). */
      pause?: () => Promise<void>;
    },
  ) {}

  /**
   * apply, or, when a state among `ops` is a large hash, a promise of it: each such state is
   * built over several turns first (entryOfInTurns), detached, then every op is applied in one
   * turn, in order, by the versions as they are then. A resync of a hash of 1.5M fields held
   * its replica's loop while its Map was built in one go. Meanwhile every later batch, from any
   * stream, is applied behind it, in the order it came (a promise too).
   */
  applyInTurns(ops: readonly ReplicationOp[]): ReplicationAck | Promise<ReplicationAck> {
    if (this.inProgress !== undefined) {
      const before = this.inProgress;
      return this.track(before.then(nothing, nothing).then(() => this.applyNow(ops)));
    }
    const applied = this.applyNow(ops);
    return applied instanceof Promise ? this.track(applied) : applied;
  }

  /**
   * The asynchronous apply in progress, if any: every batch after it, from any stream, waits
   * behind it. A leader whose stream broke meanwhile resends what it holds on a new stream;
   * applied ahead of the old stream's batch, those ops were undone by it (a review: a key the
   * leader had evicted came back on the replica).
   */
  private inProgress: Promise<ReplicationAck> | undefined;

  private track(applying: Promise<ReplicationAck>): Promise<ReplicationAck> {
    this.inProgress = applying;
    const done = () => {
      if (this.inProgress === applying) this.inProgress = undefined;
    };
    applying.then(done, done);
    return applying;
  }

  private applyNow(ops: readonly ReplicationOp[]): ReplicationAck | Promise<ReplicationAck> {
    const { pause } = this.deps;
    if (pause === undefined || !ops.some((op) => op.state !== undefined && buildsInTurns(toKeyState(op.state)))) return this.apply(ops);
    return this.buildThenApply(ops, pause);
  }

  private async buildThenApply(ops: readonly ReplicationOp[], pause: () => Promise<void>): Promise<ReplicationAck> {
    const built = new Map<number, StoredEntry>();
    for (let i = 0; i < ops.length; i++) {
      const state = ops[i]!.state === undefined ? undefined : toKeyState(ops[i]!.state!);
      if (state !== undefined && buildsInTurns(state)) built.set(i, await entryOfInTurns(ops[i]!.state!.key, state, pause));
    }
    return this.apply(ops, built);
  }

  /** Applies `ops` in order; `built` holds entries built beforehand for some states, by index. */
  apply(ops: readonly ReplicationOp[], built?: ReadonlyMap<number, StoredEntry>): ReplicationAck {
    const resync = new Set<string>();
    let acked = 0;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      acked = op.seq;
      if (op.evicted) {
        // The leader evicted the key: drop the copy it evicted (or an older one, whose last
        // writes were lost with a broken stream), with no tombstone (the leader has none),
        // even one expired here already. A newer copy is not that one: kept, and nothing to
        // resync.
        this.deps.store.forgetEvicted(op.evicted.key, op.evicted.version);
        continue;
      }
      if (op.state) {
        // A state exported after a skipped write covers it; a stale one (not applied) does not.
        // The leader's state wins at an equal version: the replica asked for it because its
        // copy did not follow the leader's writes, and a copy stamped with the same version
        // elsewhere (a partition's other side) must not stay.
        if (this.deps.store.mergeKey(op.state.key, toKeyState(op.state), true, built?.get(i))) resync.delete(op.state.key);
        continue;
      }
      const w = op.write!;
      if (resync.has(w.key)) continue; // a gap earlier in this batch: the state will cover it
      // Checked and applied at one instant: the key cannot expire between the two.
      if (!this.deps.store.atOneInstant(() => this.applyWrite(w))) resync.add(w.key);
    }
    return { ackedSeq: acked, resyncKeys: [...resync] };
  }

  /** Applies one write if the replica holds the version its leader held; false: resync it. */
  private applyWrite(w: ReplicatedWrite): boolean {
    const spec = lookupCommand(w.name);
    if (spec === undefined) return this.failed(w, unknownCommand(w.name));
    // Room first, and once: a copy evicted for the write is then a gap to resync, not a key
    // the write starts afresh, and no second chunk inside the command takes the key checked.
    const room = spec.flags.denyOom ? this.deps.store.evictToLimit() : undefined;
    if (this.deps.store.versionOf(w.key) !== w.prevVersion) return false;
    try {
      executeSpec(this.deps.store, spec, w, room === undefined ? { version: w.version } : { version: w.version, room });
      return true;
    } catch (err) {
      return this.failed(w, err);
    }
  }

  /** The leader applied this command, so it cannot fail here unless states differ: resync. */
  private failed(w: ReplicatedWrite, err: unknown): false {
    this.deps.log.warn({ err, command: w.name }, 'replicated write failed; resyncing its key');
    return false;
  }
}

const nothing = (): void => undefined;

function toKeyState(s: KeyStateMessage): KeyState {
  if (s.deleted) return { deleted: true as const, version: s.version };
  return {
    deleted: false as const,
    type: s.type as EntryType, // checked by the store (valueOf): a bad type is an INTERNAL error
    value: s.value,
    expireAtMs: s.expireAtMs,
    version: s.version,
  };
}
