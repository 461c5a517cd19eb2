import {
  isValidEntry,
  isVerdict,
  toEntry,
  type Member,
  type MemberChange,
  type MemberEntry,
  type MemberStatus,
  type SelfInfo,
} from './member.js';

type Row = { -readonly [K in keyof Member]: Member[K] };

/**
 * Rows are built field by field, never with object spread: V8 gives spread-built objects a
 * shape that is read an order of magnitude slower, and merge reads rows in a hot loop.
 */
function makeRow(e: MemberEntry, status: MemberStatus, progressAtMs: number, statusSinceMs: number): Row {
  return {
    id: e.id,
    internalAddr: e.internalAddr,
    grpcAddr: e.grpcAddr,
    restAddr: e.restAddr,
    status,
    incarnation: e.incarnation,
    heartbeat: e.heartbeat,
    progressAtMs,
    statusSinceMs,
  };
}

const copyRow = (row: Member): Member => makeRow(row, row.status, row.progressAtMs, row.statusSinceMs);

/** What we last knew of a forgotten member, so stale gossip cannot bring it back as a zombie. */
interface Tombstone {
  readonly incarnation: number;
  readonly heartbeat: number;
  readonly atMs: number;
}

/**
 * The local member table and its merge rules. Pure: no timers, no I/O; every call that needs the
 * time takes `nowMs` (local monotonic ms). Lookups go through a Map, so a merge is O(entries).
 *
 * Merge, per remote entry about another member:
 * - a higher incarnation wins outright (refutation or restart), taking its addresses and status
 *   (a remote `suspect` counts as `alive`: suspicion is a local opinion, not a verdict);
 * - at equal incarnation, `left` beats everything and `dead` beats alive/suspect, so verdicts
 *   spread; otherwise a higher heartbeat is progress and clears a local suspicion;
 * - a lower incarnation is stale and ignored;
 * - whenever (incarnation, heartbeat) advances, the member's local progress time is refreshed.
 * Unknown members are added when alive (a verdict about a member we never knew, or no longer
 * know, is not added: that is how forgotten members stay forgotten). Entries about ourselves
 * that claim suspect/dead/left at our incarnation, or any higher incarnation of our id, make us
 * refute by bumping our incarnation above theirs, unless we are leaving.
 */
export class MemberTable {
  private readonly rows = new Map<string, Row>();
  private readonly tombstones = new Map<string, Tombstone>();
  private readonly selfRow: Row;

  constructor(self: SelfInfo, incarnation: number, nowMs: number) {
    this.selfRow = makeRow({ ...self, status: 'alive', incarnation, heartbeat: 0 }, 'alive', nowMs, nowMs);
    this.rows.set(self.id, this.selfRow);
  }

  get selfId(): string {
    return this.selfRow.id;
  }

  get self(): Member {
    return copyRow(this.selfRow);
  }

  get size(): number {
    return this.rows.size;
  }

  get(id: string): Member | undefined {
    const row = this.rows.get(id);
    return row === undefined ? undefined : copyRow(row);
  }

  /** Copies of every member, ourselves included. */
  members(): Member[] {
    return Array.from(this.rows.values(), copyRow);
  }

  /** Read-only views of the rows, without copying (for the detector and peer choice). */
  values(): IterableIterator<Member> {
    return this.rows.values();
  }

  /** The table as sent on the wire: fresh objects, ourselves included. */
  entries(): MemberEntry[] {
    return Array.from(this.rows.values(), toEntry);
  }

  /** Ids forgotten recently (their tombstones keep stale gossip from reviving them). */
  forgottenIds(): string[] {
    return [...this.tombstones.keys()];
  }

  /** Our own heartbeat: incremented once per round, by us only. */
  bumpHeartbeat(): void {
    this.selfRow.heartbeat += 1;
  }

  /** Marks ourselves `left` at a new incarnation, so it beats every earlier entry about us. */
  markLeft(nowMs: number): MemberChange[] {
    const self = this.selfRow;
    if (self.status === 'left') return [];
    const from = self.status;
    self.incarnation += 1;
    self.status = 'left';
    self.statusSinceMs = nowMs;
    return [{ kind: 'statusChanged', id: self.id, from, to: 'left', incarnation: self.incarnation }];
  }

  /** Applies remote entries (a Heartbeat request or reply) and reports what changed. */
  merge(remote: readonly MemberEntry[], nowMs: number): MemberChange[] {
    const changes: MemberChange[] = [];
    for (const entry of remote) {
      if (!isValidEntry(entry)) continue;
      if (entry.id === this.selfRow.id) {
        this.mergeSelf(entry, changes);
        continue;
      }
      const row = this.rows.get(entry.id);
      if (row === undefined) this.add(entry, nowMs, changes);
      else if (entry.incarnation > row.incarnation) this.replace(row, entry, nowMs, changes);
      else if (entry.incarnation === row.incarnation) this.mergeSameIncarnation(row, entry, nowMs, changes);
    }
    return changes;
  }

  /** Sets a member's status (the detector's verdicts). No-op for ourselves or an equal status. */
  setStatus(id: string, to: MemberStatus, nowMs: number): MemberChange | undefined {
    const row = this.rows.get(id);
    if (row === undefined || row === this.selfRow || row.status === to) return undefined;
    const from = row.status;
    row.status = to;
    row.statusSinceMs = nowMs;
    return { kind: 'statusChanged', id, from, to, incarnation: row.incarnation };
  }

  /** Drops a member, remembering its (incarnation, heartbeat) so stale gossip stays out. */
  forget(id: string, nowMs: number): MemberChange | undefined {
    const row = this.rows.get(id);
    if (row === undefined || row === this.selfRow) return undefined;
    this.rows.delete(id);
    this.tombstones.set(id, { incarnation: row.incarnation, heartbeat: row.heartbeat, atMs: nowMs });
    return { kind: 'forgotten', id, status: row.status };
  }

  /** Drops tombstones older than `keepMs`: by then every node has forgotten the member too. */
  purgeTombstones(nowMs: number, keepMs: number): void {
    for (const [id, stone] of this.tombstones) {
      if (nowMs - stone.atMs >= keepMs) this.tombstones.delete(id);
    }
  }

  /**
   * Moves every other member's progress time forward by `stallMs` (never past `nowMs`): after
   * our own process stalled, silence during the stall is ours, not theirs.
   */
  extendProgress(stallMs: number, nowMs: number): void {
    for (const row of this.rows.values()) {
      if (row !== this.selfRow) row.progressAtMs = Math.min(row.progressAtMs + stallMs, nowMs);
    }
  }

  private mergeSelf(entry: MemberEntry, changes: MemberChange[]): void {
    const self = this.selfRow;
    if (self.status === 'left') return; // leaving: nothing to refute
    const newer = entry.incarnation > self.incarnation;
    const accused = entry.incarnation === self.incarnation && entry.status !== 'alive';
    if (!newer && !accused) return;
    self.incarnation = entry.incarnation + 1;
    changes.push({ kind: 'refuted', id: self.id, claimed: entry.status, incarnation: self.incarnation });
  }

  private add(entry: MemberEntry, nowMs: number, changes: MemberChange[]): void {
    if (isVerdict(entry.status)) return;
    const stone = this.tombstones.get(entry.id);
    if (stone !== undefined) {
      const stale =
        entry.incarnation < stone.incarnation ||
        (entry.incarnation === stone.incarnation && entry.heartbeat <= stone.heartbeat);
      if (stale) return;
      this.tombstones.delete(entry.id);
    }
    const row = makeRow(entry, 'alive', nowMs, nowMs);
    this.rows.set(row.id, row);
    changes.push({ kind: 'joined', member: toEntry(row) });
  }

  private replace(row: Row, entry: MemberEntry, nowMs: number, changes: MemberChange[]): void {
    changes.push({
      kind: 'incarnationChanged',
      id: row.id,
      from: row.incarnation,
      to: entry.incarnation,
      heartbeatReset: entry.heartbeat < row.heartbeat,
    });
    const moved =
      entry.internalAddr !== row.internalAddr ||
      entry.grpcAddr !== row.grpcAddr ||
      entry.restAddr !== row.restAddr;
    row.internalAddr = entry.internalAddr;
    row.grpcAddr = entry.grpcAddr;
    row.restAddr = entry.restAddr;
    row.incarnation = entry.incarnation;
    row.heartbeat = entry.heartbeat;
    row.progressAtMs = nowMs;
    if (moved) changes.push({ kind: 'addressChanged', member: toEntry(row) });
    this.changeStatus(row, entry.status === 'suspect' ? 'alive' : entry.status, nowMs, changes);
  }

  private mergeSameIncarnation(row: Row, entry: MemberEntry, nowMs: number, changes: MemberChange[]): void {
    const advanced = entry.heartbeat > row.heartbeat;
    if (advanced) {
      row.heartbeat = entry.heartbeat;
      row.progressAtMs = nowMs;
    }
    if (isVerdict(row.status)) {
      // A verdict stands for its incarnation; only `left` outranks `dead`.
      if (row.status === 'dead' && entry.status === 'left') this.changeStatus(row, 'left', nowMs, changes);
    } else if (isVerdict(entry.status)) {
      this.changeStatus(row, entry.status, nowMs, changes);
    } else if (advanced && row.status === 'suspect') {
      this.changeStatus(row, 'alive', nowMs, changes);
    }
  }

  private changeStatus(row: Row, to: MemberStatus, nowMs: number, changes: MemberChange[]): void {
    if (row.status === to) return;
    changes.push({ kind: 'statusChanged', id: row.id, from: row.status, to, incarnation: row.incarnation });
    row.status = to;
    row.statusSinceMs = nowMs;
  }
}
