import { diffRanges, HASH_SPACE, type Ring } from '../ring/index.js';

/** A part of the ring this node gained and has not been handed yet, and who held it before. */
export interface PendingSegment {
  readonly from: number;
  /** Exclusive; at most 2^32. */
  readonly to: number;
  /** The previous preference list, leader first, without this node and without gone members. */
  readonly sources: readonly string[];
  /** Monotonic ms when this node gained it. */
  readonly sinceMs: number;
  /**
   * Gained because a previous owner dropped out of the ring (its death or leave), not because
   * this node joined: then a source held dead is waited for, not dropped (see markDead).
   */
  readonly takeover: boolean;
}

/** A segment as held here: a drop replaces its sources in place (see #drop). */
interface Segment extends Omit<PendingSegment, 'sources'> {
  sources: readonly string[];
}

/**
 * The arcs this node became an owner of and whose keys have not all arrived yet (the receiving
 * side of a hand-off). Pure bookkeeping: sorted, non-overlapping segments, each with the members
 * that held it before. A segment ends when its first live source reports the arc handed off,
 * when no source is left to ask, or when it is older than the window the caller enforces.
 */
export class PendingRanges {
  #segments: Segment[] = [];
  /**
   * Per source, the segments it is a source of, so a drop visits only those: one pass over every
   * segment per member made many members dying together quadratic (1000 members at 256 vnodes:
   * about 256k segments, 60 s of blocked event loop). Built by the first drop after the segments
   * were replaced, kept up to date by drops; undefined when stale.
   */
  #bySource: Map<string, Segment[]> | undefined;
  /** Segments a drop left without sources, still in #segments until the next read (#live). */
  #ended = 0;
  /** Sources held dead: kept (they may come back with the arc's keys) but never asked. */
  readonly #dead = new Set<string>();
  /** Sources that left gracefully: still asked (they hand off before exiting), after the others. */
  readonly #left = new Set<string>();

  get size(): number {
    return this.#segments.length - this.#ended;
  }

  segments(): readonly PendingSegment[] {
    return this.#live();
  }

  /**
   * Records the arcs `self` gained from ring `before` to ring `after` (preference lists of n
   * members): where it is in the new list and was not in the old one. Overlaps with segments
   * already pending keep the union of their sources, older sources first.
   */
  gain(before: Ring, after: Ring, self: string, n: number, nowMs: number): number {
    // diffRanges' arcs are ascending and disjoint: merged with the pending segments in one pass,
    // as one #add per arc would re-walk and re-sort every segment (quadratic in vnodes: seconds
    // of blocked event loop with a large cluster.v_node_count).
    const gained: PendingSegment[] = [];
    for (const arc of diffRanges(before, after, n)) {
      if (!arc.after.includes(self) || arc.before.includes(self)) continue;
      const sources = arc.before.filter((id) => id !== self);
      if (sources.length === 0) continue;
      const takeover = sources.some((id) => !after.has(id));
      gained.push({ from: arc.from, to: arc.to, sources, sinceMs: nowMs, takeover });
    }
    if (gained.length > 0) this.#replace(overlay(this.#live(), gained));
    return gained.length;
  }

  /**
   * Keeps only the parts of segments where `self` is in the preference list of ring `ring`:
   * an arc this node gained and lost again (a member declared dead, then back, or a newer join
   * took it) is no longer pulled here. Returns the parts dropped, with their sources: until
   * their arcs are handed off, this node may still be asked for their keys (see Arrivals' lost).
   */
  keepOwned(ring: Ring, self: string, n: number): PendingSegment[] {
    const { owned, unowned } = this.#splitByOwner(ring, self, n);
    if (unowned.length > 0) this.#replace(owned);
    return unowned;
  }

  /** The opposite of keepOwned: drops the parts `self` owns in `ring` (gained there again). */
  dropOwned(ring: Ring, self: string, n: number): number {
    const { owned, unowned } = this.#splitByOwner(ring, self, n);
    if (owned.length > 0) this.#replace(unowned);
    return owned.length;
  }

  /** Lays `segments` (ascending, disjoint) over the ones held, as gain does. */
  add(segments: readonly PendingSegment[]): void {
    if (segments.length > 0) this.#replace(overlay(this.#live(), segments));
  }

  /** The segments cut at `ring`'s boundaries into the runs `self` owns there and the others. */
  #splitByOwner(ring: Ring, self: string, n: number): { owned: Segment[]; unowned: Segment[] } {
    const owned: Segment[] = [];
    const unowned: Segment[] = [];
    const segments = this.#live();
    if (segments.length === 0) return { owned, unowned };
    const cuts = ring.boundaries().map((p) => p + 1);
    for (const s of segments) {
      const mine: Segment[] = [];
      const others: Segment[] = [];
      let i = firstAbove(cuts, s.from);
      for (let from = s.from; from < s.to; ) {
        const to = Math.min(s.to, cuts[i] ?? HASH_SPACE);
        appendRun(ring.owners(from, n).includes(self) ? mine : others, s, from, to);
        from = to;
        i++;
      }
      owned.push(...mine);
      unowned.push(...others);
    }
    return { owned, unowned };
  }

  /**
   * The segment holding `position`, if any. O(log segments). Read it before the next call that
   * changes sources: a drop replaces a segment's sources in place.
   */
  find(position: number): PendingSegment | undefined {
    const segs = this.#live();
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = segs[mid]!;
      if (position < s.from) hi = mid - 1;
      else if (position >= s.to) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  /**
   * The parts of pending segments inside [from, to), ascending. O(log segments + parts): a
   * hand-off run asks it for every arc it reports (Arrivals.stillArriving).
   */
  overlapping(from: number, to: number): PendingSegment[] {
    const segs = this.#live();
    // The first segment ending after `from` (segments are ascending and disjoint).
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (segs[mid]!.to > from) hi = mid;
      else lo = mid + 1;
    }
    const out: PendingSegment[] = [];
    for (let i = lo; i < segs.length && segs[i]!.from < to; i++) {
      const s = segs[i]!;
      out.push({ ...s, from: Math.max(s.from, from), to: Math.min(s.to, to) });
    }
    return out;
  }

  /**
   * The segment's sources not held dead: the members to ask. Members still in the ring come
   * first, in order, then members leaving: the first is the one whose hand-off ends the
   * segment, as a hand-off plan picks its sender among members still in the ring.
   */
  liveSources(seg: PendingSegment): readonly string[] {
    if (this.#dead.size === 0 && this.#left.size === 0) return seg.sources;
    const asked = seg.sources.filter((id) => !this.#dead.has(id));
    return this.#left.size === 0 ? asked : [...asked.filter((id) => !this.#left.has(id)), ...asked.filter((id) => this.#left.has(id))];
  }

  /** Whether `member` left gracefully and is still a source (it hands off before it exits). */
  isLeaving(member: string): boolean {
    return this.#left.has(member);
  }

  /**
   * A source was declared dead. Where this node took the arc over, it stays a source, skipped
   * until it is alive again or gone: across a partition it still holds the arc's keys, and while
   * all of them are dead the arc waits. Where this node joined, its copies have taken every write
   * since; the dead source is dropped and a segment with none left ends, as on a leave. Returns
   * how many segments ended.
   */
  markDead(member: string): number {
    this.#dead.add(member);
    return this.#drop(member, (s) => !s.takeover);
  }

  markAlive(member: string): void {
    this.#dead.delete(member);
    this.#left.delete(member);
  }

  /**
   * `member` left gracefully. It stays a source: it holds its keys until it has handed them
   * over, after the others learned of the leave. It goes when it is forgotten, or when a pull
   * finds it unreachable (it has exited: what it still held went with it). See removeSource.
   */
  markLeft(member: string): void {
    this.#dead.delete(member);
    this.#left.add(member);
  }

  /**
   * `member` has handed off everything it holds in these arcs: the parts of segments whose
   * first live source is `member` are complete. Returns how many positions were cleared.
   */
  handed(member: string, arcs: readonly { from: number; to: number }[]): number {
    let cleared = 0;
    for (const arc of arcs) {
      const from = Math.max(0, arc.from);
      const to = Math.min(HASH_SPACE, arc.to);
      if (from >= to) continue;
      this.#cut(from, to, (s) => {
        if (this.liveSources(s)[0] !== member) return s;
        cleared += s.to - s.from;
        return undefined;
      });
    }
    return cleared;
  }

  /** A member was forgotten, or left and is unreachable: no longer a source; a segment with none left ends. */
  removeSource(member: string): number {
    this.#dead.delete(member);
    this.#left.delete(member);
    return this.#drop(member, () => true);
  }

  /** Ends segments gained before `cutoffMs`; returns them. */
  expire(cutoffMs: number): PendingSegment[] {
    const segments = this.#live();
    const gone = segments.filter((s) => s.sinceMs < cutoffMs);
    if (gone.length > 0) this.#replace(segments.filter((s) => s.sinceMs >= cutoffMs));
    return gone;
  }

  clear(): void {
    this.#replace([]);
  }

  /** Removes `member` from the sources of the segments `where` selects; ends those left with none. */
  #drop(member: string, where: (s: PendingSegment) => boolean): number {
    this.#bySource ??= indexBySource(this.#segments);
    const held = this.#bySource.get(member);
    if (held === undefined) return 0;
    let ended = 0;
    const kept = held.filter((s) => {
      if (!where(s)) return true;
      s.sources = s.sources.filter((id) => id !== member);
      if (s.sources.length === 0) ended++;
      return false;
    });
    if (kept.length > 0) this.#bySource.set(member, kept);
    else this.#bySource.delete(member);
    // Ended segments leave #segments on the next read, in one pass for all drops until then.
    this.#ended += ended;
    return ended;
  }

  /** The segments, without those a drop ended. Keeps #bySource: an ended segment is in no list of it. */
  #live(): Segment[] {
    if (this.#ended > 0) {
      this.#segments = this.#segments.filter((s) => s.sources.length > 0);
      this.#ended = 0;
    }
    return this.#segments;
  }

  /** Sets new segments (from #live's, so none ended); #bySource is rebuilt by the next drop. */
  #replace(segments: Segment[]): void {
    this.#segments = segments;
    this.#ended = 0;
    this.#bySource = undefined;
  }

  /**
   * Applies `edit` to the part of every segment inside [from, to) (keeping the parts outside);
   * `edit` returns the replacement or undefined to drop that part.
   */
  #cut(from: number, to: number, edit: (inside: PendingSegment) => PendingSegment | undefined): void {
    const out: PendingSegment[] = [];
    for (const s of this.#live()) {
      if (s.to <= from || s.from >= to) {
        out.push(s);
        continue;
      }
      if (s.from < from) out.push({ ...s, to: from });
      const inside = edit({ ...s, from: Math.max(s.from, from), to: Math.min(s.to, to) });
      if (inside !== undefined) out.push(inside);
      if (s.to > to) out.push({ ...s, from: to });
    }
    this.#replace(out);
  }
}

/**
 * `added` laid over `segments` (both ascending and disjoint) in one pass: where they overlap,
 * the existing segment's sources come first, then the added ones, with the later gain time and
 * either's takeover; each is split at the other's ends.
 */
export function overlay(segments: readonly PendingSegment[], added: readonly PendingSegment[]): PendingSegment[] {
  const out: PendingSegment[] = [];
  let i = 0;
  let j = 0;
  let cursor = 0;
  while (i < segments.length || j < added.length) {
    const s = segments[i];
    const a = added[j];
    const from = Math.max(cursor, Math.min(s?.from ?? HASH_SPACE, a?.from ?? HASH_SPACE));
    const inS = s !== undefined && s.from <= from;
    const inA = a !== undefined && a.from <= from;
    // The piece ends at the next end or start of either list.
    const to = Math.min(
      inS ? s.to : (s?.from ?? HASH_SPACE),
      inA ? a.to : (a?.from ?? HASH_SPACE),
    );
    if (inS && inA) {
      out.push({ ...s, from, to, sources: union(s.sources, a.sources), sinceMs: Math.max(s.sinceMs, a.sinceMs), takeover: s.takeover || a.takeover });
    } else if (inS) out.push({ ...s, from, to });
    else if (inA) out.push({ ...a, from, to });
    cursor = to;
    if (s !== undefined && s.to <= to) i++;
    if (a !== undefined && a.to <= to) j++;
  }
  return out;
}

/** Appends [from, to) of `s` to `runs` (parts of `s` alone), joined to the last run when they touch. */
function appendRun(runs: Segment[], s: Segment, from: number, to: number): void {
  const last = runs[runs.length - 1];
  if (last !== undefined && last.to === from) runs[runs.length - 1] = { ...last, to };
  else runs.push({ ...s, from, to });
}

/** Index of the first value in ascending `values` greater than `x` (values.length if none). */
function firstAbove(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function indexBySource(segments: readonly Segment[]): Map<string, Segment[]> {
  const index = new Map<string, Segment[]>();
  for (const s of segments) {
    for (const id of s.sources) {
      const held = index.get(id);
      if (held === undefined) index.set(id, [s]);
      else held.push(s);
    }
  }
  return index;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  const out = a.slice();
  for (const id of b) if (!out.includes(id)) out.push(id);
  return out;
}
