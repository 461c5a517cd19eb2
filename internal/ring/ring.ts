import { buildVnodes, HASH_SPACE } from './vnode-table.js';
import type { PositionFn } from './vnode-table.js';
import { versionOf } from './version.js';

export { HASH_SPACE };
export type { PositionFn };

/** A half-open arc of hash space `[from, to)`, with `0 <= from < to <= 2^32`. */
export type Arc = [from: number, to: number];

/** One point of the ring, for inspection and tests. */
export interface Vnode {
  readonly position: number;
  readonly memberId: string;
}

/**
 * An immutable consistent-hash ring (DESIGN.md section 6). Each member has `vnodeCount` vnodes at
 * `position(id + "#" + i)`. The leader of a position is the member of the first vnode clockwise at
 * or after it (wrapping past 2^32 - 1 to 0); vnodes at the same position are ordered by member
 * id, then vnode index, so every node with the same members computes the same ring.
 *
 * The ring is a pure function of (members, vnodeCount, position function). `version` identifies
 * (members, vnodeCount); counting epochs (how many rings a node has seen) is the caller's job.
 */
export class Ring {
  /** Member ids, deduplicated and sorted by UTF-16 code units. */
  readonly members: readonly string[];
  readonly vnodeCount: number;
  /**
   * A deterministic 53-bit hash of (sorted members, vnodeCount): equal sets give equal versions
   * on every node. It does not cover the position function: a cluster uses one hash.
   */
  readonly version: number;

  readonly #index: ReadonlyMap<string, number>;
  /** Vnode positions, ascending. */
  readonly #positions: Uint32Array;
  /** For each vnode, its member's index in `members`. */
  readonly #owner: Uint16Array | Uint32Array;
  /** Scratch for distinct-member walks: member index -> stamp of the walk that last saw it. */
  readonly #seen: Uint32Array;
  #stamp = 0;

  private constructor(
    members: readonly string[],
    vnodeCount: number,
    positions: Uint32Array,
    owner: Uint16Array | Uint32Array,
  ) {
    this.members = Object.freeze(members.slice());
    this.vnodeCount = vnodeCount;
    this.version = versionOf(this.members, vnodeCount);
    this.#index = new Map(this.members.map((id, i) => [id, i]));
    this.#positions = positions;
    this.#owner = owner;
    this.#seen = new Uint32Array(members.length);
    Object.freeze(this);
  }

  /** Builds the ring of `memberIds` (order and duplicates do not matter). */
  static fromMembers(
    memberIds: readonly string[],
    vnodeCount: number,
    position: PositionFn,
  ): Ring {
    if (!Number.isInteger(vnodeCount) || vnodeCount < 1) {
      throw new RangeError(`vnodeCount must be a positive integer, got ${vnodeCount}`);
    }
    const members = [...new Set(memberIds)].sort();
    const { positions, owner } = buildVnodes(members, vnodeCount, position);
    return new Ring(members, vnodeCount, positions, owner);
  }

  /** The number of members. */
  get size(): number {
    return this.members.length;
  }

  /** The number of vnodes (members x vnodeCount). */
  get vnodeTotal(): number {
    return this.#positions.length;
  }

  has(memberId: string): boolean {
    return this.#index.has(memberId);
  }

  /** The leader of a position (0 <= position <= 2^32; 2^32 is 0), or undefined on an empty ring. */
  leader(position: number): string | undefined {
    const total = this.#positions.length;
    if (total === 0) return undefined;
    const j = this.#firstAtOrAfter(position);
    return this.members[this.#owner[j === total ? 0 : j]!];
  }

  /**
   * The preference list of a position: its leader, then the next distinct members clockwise;
   * min(n, size) entries, [] on an empty ring. O(log vnodes) plus the walk; owners(p, 1)
   * allocates only the one-element array.
   */
  owners(position: number, n: number): string[] {
    const want = Math.min(n, this.members.length);
    if (!(want >= 1)) return [];
    const total = this.#positions.length;
    let j = this.#firstAtOrAfter(position);
    if (j === total) j = 0;
    const first = this.#owner[j]!;
    const out = [this.members[first]!];
    if (want === 1) return out;
    const seen = this.#seen;
    const stamp = this.#nextStamp();
    seen[first] = stamp;
    for (let step = 1; step < total && out.length < want; step++) {
      const m = this.#owner[(j + step) % total]!;
      if (seen[m] !== stamp) {
        seen[m] = stamp;
        out.push(this.members[m]!);
      }
    }
    return out;
  }

  /**
   * Where `memberId` stands in the preference list of `position` of length n: 0 for the leader,
   * 1 for the first replica..., -1 when it is not in the list. Allocation-free.
   */
  ownerRank(position: number, memberId: string, n: number): number {
    const target = this.#index.get(memberId);
    const want = Math.min(n, this.members.length);
    if (target === undefined || !(want >= 1)) return -1;
    const total = this.#positions.length;
    let j = this.#firstAtOrAfter(position);
    if (j === total) j = 0;
    const seen = this.#seen;
    const stamp = this.#nextStamp();
    let rank = 0;
    for (let step = 0; step < total && rank < want; step++) {
      const m = this.#owner[(j + step) % total]!;
      if (m === target) return rank;
      if (seen[m] !== stamp) {
        seen[m] = stamp;
        rank++;
      }
    }
    return -1;
  }

  /** Whether the preference list of length n at `position` differs between the two rings. */
  preferenceChanged(other: Ring, position: number, n: number): boolean {
    const a = this.owners(position, n);
    const b = other.owners(position, n);
    return a.length !== b.length || a.some((id, i) => id !== b[i]);
  }

  /**
   * The arcs of hash space `memberId` leads, ascending, adjacent arcs merged; an arc that wraps
   * past 2^32 - 1 is split into `[x, 2^32)` and `[0, y)`. [] for a non-member.
   */
  ownedRanges(memberId: string): Arc[] {
    const target = this.#index.get(memberId);
    const out: Arc[] = [];
    if (target === undefined) return out;
    const pos = this.#positions;
    const owner = this.#owner;
    const total = pos.length;
    const add = (from: number, to: number): void => {
      if (from >= to) return;
      const last = out[out.length - 1];
      if (last !== undefined && last[1] === from) last[1] = to;
      else out.push([from, to]);
    };
    // Vnode j leads (pos[j-1], pos[j]]; vnode 0 also leads the wrap tail (pos[total-1], 2^32).
    if (owner[0] === target) add(0, pos[0]! + 1);
    for (let j = 1; j < total; j++) if (owner[j] === target) add(pos[j - 1]! + 1, pos[j]! + 1);
    if (owner[0] === target) add(pos[total - 1]! + 1, HASH_SPACE);
    return out;
  }

  /**
   * The exclusive end of the leader's arc containing `position`: the first position after it
   * with a different leader, or 2^32 at the top. Always > position. Lets SCAN walk one
   * leader's arc at a time; equals the `to` of the ownedRanges arc that holds `position`.
   */
  arcEnd(position: number): number {
    const pos = this.#positions;
    const owner = this.#owner;
    const total = pos.length;
    const start = this.#firstAtOrAfter(position);
    if (start === total) return HASH_SPACE;
    const leader = owner[start]!;
    let j = start;
    // Extend over following vnodes of the same leader and over vnodes that lead nothing
    // (a tie: same position as the vnode before them).
    while (j + 1 < total && (owner[j + 1] === leader || pos[j + 1] === pos[j])) j++;
    if (j === total - 1 && owner[0] === leader) return HASH_SPACE;
    return pos[j]! + 1;
  }

  /** The vnodes in ring order (a copy, for inspection and tests). */
  vnodes(): Vnode[] {
    const out: Vnode[] = [];
    for (let j = 0; j < this.#positions.length; j++) {
      out.push({ position: this.#positions[j]!, memberId: this.members[this.#owner[j]!]! });
    }
    return out;
  }

  /** The distinct vnode positions, ascending (a copy): the points where placement can change. */
  boundaries(): number[] {
    const out: number[] = [];
    for (const p of this.#positions) if (out[out.length - 1] !== p) out.push(p);
    return out;
  }

  /** Same members, vnode count and vnode positions. */
  equals(other: Ring): boolean {
    if (this.version !== other.version || this.vnodeCount !== other.vnodeCount) return false;
    if (this.members.some((id, i) => id !== other.members[i])) return false;
    const a = this.#positions;
    const b = other.#positions;
    const owner = this.#owner;
    return a.length === b.length && a.every((p, j) => p === b[j] && owner[j] === other.#owner[j]);
  }

  /** The first vnode with position >= `position` (binary search), or vnodeTotal if none. */
  #firstAtOrAfter(position: number): number {
    const pos = this.#positions;
    let lo = 0;
    let hi = pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pos[mid]! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #nextStamp(): number {
    if (this.#stamp === 0xffff_ffff) {
      this.#seen.fill(0);
      this.#stamp = 0;
    }
    return ++this.#stamp;
  }
}
