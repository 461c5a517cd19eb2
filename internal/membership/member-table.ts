import {
  entryOf,
  isValidEntry,
  MAX_INCARNATION_AHEAD_MS,
  isVerdict,
  memberOf,
  type Member,
  type MemberRow,
  type MemberChange,
  type MemberEntry,
  type MemberStatus,
  type SelfInfo,
} from './member.js';

type Row = { entry: MemberEntry; progressAtMs: number; statusSinceMs: number };

/**
 * The remote entry itself when it already says what we hold, else a copy with our status. Entries
 * are immutable values, so tables (and messages) share them instead of copying: in steady state a
 * merge allocates nothing. The wire layer must hand over plain entries it no longer mutates.
 */
const adopt = (entry: MemberEntry, status: MemberStatus): MemberEntry =>
  entry.status === status ? entry : entryOf(entry, status);

/** How a status change moves the count of live (alive or suspect) members. */
const liveDelta = (from: MemberStatus, to: MemberStatus): number => Number(!isVerdict(to)) - Number(!isVerdict(from));

const sameAddrs = (a: MemberEntry, b: MemberEntry): boolean =>
  a.internalAddr === b.internalAddr && a.grpcAddr === b.grpcAddr && a.restAddr === b.restAddr;

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
 * Unknown members are added when alive and the table is not full (limits.max_members; a verdict
 * about a member we never knew, or no longer know, is not added: that is how forgotten members
 * stay forgotten). Entries about ourselves
 * that claim suspect/dead/left at our incarnation, or any higher incarnation of our id, make us
 * refute by bumping our incarnation above theirs, unless we are leaving.
 */
export class MemberTable {
  private readonly rows = new Map<string, Row>();
  private readonly tombstones = new Map<string, Tombstone>();
  private readonly selfRow: Row;
  private live = 1;
  /** The highest incarnation of ours at which we learned we were held dead or left. */
  private verdictSeenAt: number;
  /** Unknown members not added because the table was full, and entries past a message's bound. */
  private readonly overflow = { refused: 0, unread: 0 };
  private readonly maxMembers: number;

  /**
   * `maxMembers` (limits.max_members) bounds the rows, ourselves and dead or left members
   * included, and the entries read from one message: a table never holds, nor sends, more.
   */
  constructor(self: SelfInfo, incarnation: number, nowMs: number, maxMembers = Infinity) {
    this.maxMembers = maxMembers;
    const entry = entryOf({ ...self, status: 'alive', incarnation, heartbeat: 0 }, 'alive');
    this.selfRow = { entry, progressAtMs: nowMs, statusSinceMs: nowMs };
    // Verdicts about incarnations before ours are about an earlier process of our id.
    this.verdictSeenAt = incarnation - 1;
    this.rows.set(self.id, this.selfRow);
  }

  get selfId(): string {
    return this.selfRow.entry.id;
  }

  get self(): Member {
    return memberOf(this.selfRow);
  }

  /** Our own wire entry (no copy). */
  get selfEntry(): MemberEntry {
    return this.selfRow.entry;
  }

  /** Totals so far: unknown members refused (table full) and entries left unread (message too long). */
  get overflowCounts(): { readonly refused: number; readonly unread: number } {
    return { ...this.overflow };
  }

  /** Alive and suspect members, ourselves included (kept as a count, O(1)). */
  get liveCount(): number {
    return this.live;
  }

  get(id: string): Member | undefined {
    const row = this.rows.get(id);
    return row === undefined ? undefined : memberOf(row);
  }

  /** Copies of every member, ourselves included. */
  members(): Member[] {
    return Array.from(this.rows.values(), memberOf);
  }

  /** The rows themselves, without copying (for the detector and peer choice). */
  values(): IterableIterator<MemberRow> {
    return this.rows.values();
  }

  /** The table as sent on the wire, ourselves included: a fresh array of immutable entries. */
  entries(): MemberEntry[] {
    const list = new Array<MemberEntry>(this.rows.size);
    let i = 0;
    for (const row of this.rows.values()) list[i++] = row.entry;
    return list;
  }

  /** Ids forgotten recently (their tombstones keep stale gossip from reviving them). */
  forgottenIds(): string[] {
    return [...this.tombstones.keys()];
  }

  /** Our own heartbeat: incremented once per round, by us only. */
  bumpHeartbeat(): void {
    const self = this.selfRow.entry;
    this.selfRow.entry = entryOf(self, self.status, self.incarnation, self.heartbeat + 1);
  }

  /** Marks ourselves `left` at a new incarnation, so it beats every earlier entry about us. */
  markLeft(nowMs: number): MemberChange[] {
    const self = this.selfRow.entry;
    if (self.status === 'left') return [];
    this.selfRow.entry = entryOf(self, 'left', self.incarnation + 1);
    this.selfRow.statusSinceMs = nowMs;
    this.live -= 1;
    return [{ kind: 'statusChanged', id: self.id, from: self.status, to: 'left', incarnation: self.incarnation + 1 }];
  }

  /**
   * Applies remote entries (a Heartbeat request or reply) and reports what changed. Reads at most
   * maxMembers of them: a peer's table holds no more, so a longer message is not one (see
   * overflowCounts).
   */
  merge(remote: readonly MemberEntry[], nowMs: number, wallNowMs = Number.MAX_SAFE_INTEGER): MemberChange[] {
    const changes: MemberChange[] = [];
    // Min: a wall clock near 2^53 must not let an incarnation through whose refutation is unsafe.
    const maxIncarnation = Math.min(wallNowMs + MAX_INCARNATION_AHEAD_MS, Number.MAX_SAFE_INTEGER - 1);
    const count = Math.min(remote.length, this.maxMembers);
    this.overflow.unread += remote.length - count;
    for (let i = 0; i < count; i++) {
      const entry = remote[i]!;
      const row = this.rows.get(entry.id);
      if (row !== undefined && row.entry === entry) continue; // the very value we hold: nothing new
      if (!isValidEntry(entry, maxIncarnation)) continue;
      if (row === this.selfRow) this.mergeSelf(entry, changes);
      else if (row === undefined) this.add(entry, nowMs, changes);
      else if (entry.incarnation > row.entry.incarnation) this.replace(row, entry, nowMs, changes);
      else if (entry.incarnation === row.entry.incarnation) this.mergeSameIncarnation(row, entry, nowMs, changes);
    }
    return changes;
  }

  /** Sets a member's status (the detector's verdicts). No-op for ourselves or an equal status. */
  setStatus(id: string, to: MemberStatus, nowMs: number): MemberChange | undefined {
    const row = this.rows.get(id);
    if (row === undefined || row === this.selfRow || row.entry.status === to) return undefined;
    const changes: MemberChange[] = [];
    this.changeStatus(row, to, row.entry.heartbeat, nowMs, changes);
    return changes[0];
  }

  /** Drops a member, remembering its (incarnation, heartbeat) so stale gossip stays out. */
  forget(id: string, nowMs: number): MemberChange | undefined {
    const row = this.rows.get(id);
    if (row === undefined || row === this.selfRow) return undefined;
    this.rows.delete(id);
    if (!isVerdict(row.entry.status)) this.live -= 1;
    const { incarnation, heartbeat, status, internalAddr } = row.entry;
    this.tombstones.set(id, { incarnation, heartbeat, atMs: nowMs });
    return { kind: 'forgotten', id, status, internalAddr };
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
    const self = this.selfRow.entry;
    if (self.status === 'left') return; // leaving: nothing to refute
    const newer = entry.incarnation > self.incarnation;
    const accused = entry.incarnation === self.incarnation && entry.status !== 'alive';
    if (!newer && !accused) {
      // A verdict at an incarnation we already left behind (we refuted a suspicion that reached
      // us first, e.g. heartbeats retransmitted after a partition): nothing to refute, but our
      // peers did hold us dead and may have moved our keys. Reported once per incarnation.
      if (isVerdict(entry.status) && entry.incarnation > this.verdictSeenAt && entry.incarnation < self.incarnation) {
        this.verdictSeenAt = entry.incarnation;
        changes.push({ kind: 'refuted', id: self.id, claimed: entry.status, incarnation: self.incarnation });
      }
      return;
    }
    if (isVerdict(entry.status)) this.verdictSeenAt = Math.max(this.verdictSeenAt, entry.incarnation);
    this.selfRow.entry = entryOf(self, 'alive', entry.incarnation + 1);
    const refuted: MemberChange = { kind: 'refuted', id: self.id, claimed: entry.status, incarnation: entry.incarnation + 1 };
    changes.push(newer && entry.status === 'alive' ? { ...refuted, claimedBy: entry.internalAddr } : refuted);
  }

  private add(entry: MemberEntry, nowMs: number, changes: MemberChange[]): void {
    if (isVerdict(entry.status)) return;
    const stone = this.tombstones.get(entry.id);
    if (stone !== undefined) {
      const stale =
        entry.incarnation < stone.incarnation ||
        (entry.incarnation === stone.incarnation && entry.heartbeat <= stone.heartbeat);
      if (stale) return;
    }
    // Full: a flood of made-up members would otherwise grow the table, and the ring with it
    // (vnodes per member), without bound. Real ones get in once others are forgotten.
    if (this.rows.size >= this.maxMembers) {
      this.overflow.refused += 1;
      return;
    }
    this.tombstones.delete(entry.id);
    const row: Row = { entry: adopt(entry, 'alive'), progressAtMs: nowMs, statusSinceMs: nowMs };
    this.rows.set(entry.id, row);
    this.live += 1;
    changes.push({ kind: 'joined', member: row.entry });
  }

  private replace(row: Row, entry: MemberEntry, nowMs: number, changes: MemberChange[]): void {
    const old = row.entry;
    const status = entry.status === 'suspect' ? 'alive' : entry.status;
    row.entry = adopt(entry, status);
    row.progressAtMs = nowMs;
    changes.push({
      kind: 'incarnationChanged',
      id: old.id,
      from: old.incarnation,
      to: entry.incarnation,
      heartbeatReset: entry.heartbeat < old.heartbeat,
    });
    if (!sameAddrs(entry, old)) changes.push({ kind: 'addressChanged', member: row.entry, previousInternalAddr: old.internalAddr });
    if (status !== old.status) {
      row.statusSinceMs = nowMs;
      this.live += liveDelta(old.status, status);
      changes.push({ kind: 'statusChanged', id: old.id, from: old.status, to: status, incarnation: entry.incarnation });
    }
  }

  private mergeSameIncarnation(row: Row, entry: MemberEntry, nowMs: number, changes: MemberChange[]): void {
    const local = row.entry;
    const advanced = entry.heartbeat > local.heartbeat;
    const heartbeat = advanced ? entry.heartbeat : local.heartbeat;
    if (advanced) row.progressAtMs = nowMs;
    let status = local.status;
    if (isVerdict(local.status)) {
      // A verdict stands for its incarnation; only `left` outranks `dead`.
      if (local.status === 'dead' && entry.status === 'left') status = 'left';
    } else if (isVerdict(entry.status)) {
      status = entry.status;
    } else if (advanced && local.status === 'suspect') {
      status = 'alive';
    }
    if (status !== local.status) this.changeStatus(row, status, heartbeat, nowMs, changes);
    else if (advanced) row.entry = sameAddrs(entry, local) ? adopt(entry, status) : entryOf(local, status, local.incarnation, heartbeat);
  }

  private changeStatus(row: Row, to: MemberStatus, heartbeat: number, nowMs: number, changes: MemberChange[]): void {
    const local = row.entry;
    row.entry = entryOf(local, to, local.incarnation, heartbeat);
    row.statusSinceMs = nowMs;
    this.live += liveDelta(local.status, to);
    changes.push({ kind: 'statusChanged', id: local.id, from: local.status, to, incarnation: local.incarnation });
  }
}
