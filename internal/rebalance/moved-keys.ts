import type { BinStr } from '../store/index.js';

/** Markers kept at most; the oldest go first (a re-pull is always safe, only slower). */
export const DEFAULT_MAX_MOVED_KEYS = 1_000_000;

/** Members remembered per key at most, newest first (more pullers of one key are rare). */
const MAX_MEMBERS_PER_KEY = 4;

interface Marker {
  readonly member: string;
  readonly atMs: number;
}

/**
 * The source side of pull-on-miss: keys a new owner fetched from this node. Until this node's
 * own view catches up, it may still believe it leads such a key; it then forwards the key's
 * commands to the member that pulled it instead of applying them, so the two never both accept
 * writes for it. A marker lasts `ttlMs` (monotonic) and is ignored once its member is gone.
 *
 * A key keeps a marker per member that pulled it, newest first: a later fetch by another member
 * must not erase the first. Found by rebalance/ring-views.test.ts: a member in this node's ring,
 * fetching on behalf of a joiner (a chained pull), replaced the joiner's marker; as a member
 * this node knows, its marker was not usable, so this node applied a write the joiner already
 * led, and the joiner's next write was stamped without it.
 */
export class MovedKeys {
  /** Per key, newest marker first; Map order is the age of each key's newest marker. */
  readonly #to = new Map<BinStr, readonly Marker[]>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys = DEFAULT_MAX_MOVED_KEYS,
  ) {}

  get size(): number {
    return this.#to.size;
  }

  mark(key: BinStr, member: string, nowMs: number): void {
    const earlier = this.#to.get(key) ?? [];
    this.#to.delete(key); // re-insert: Map order is age order
    const markers = [{ member, atMs: nowMs }, ...earlier.filter((m) => m.member !== member)];
    this.#to.set(key, markers.slice(0, MAX_MEMBERS_PER_KEY));
    if (this.#to.size > this.maxKeys) {
      const oldest = this.#to.keys().next();
      if (!oldest.done) this.#to.delete(oldest.value);
    }
  }

  /**
   * The newest member `key` moved to whose marker is fresh and for which `usable(member)` holds;
   * markers that are neither are dropped. Asked for every command the node leads, so the clock
   * is read only when the key has a marker.
   */
  movedTo(key: BinStr, nowMs: () => number, usable: (member: string) => boolean): string | undefined {
    if (this.#to.size === 0) return undefined;
    const markers = this.#to.get(key);
    if (markers === undefined) return undefined;
    const now = nowMs();
    const live = markers.filter((m) => now - m.atMs <= this.ttlMs && usable(m.member));
    if (live.length === 0) this.#to.delete(key);
    else if (live.length < markers.length) this.#to.set(key, live); // keeps its place in the order
    return live[0]?.member;
  }

  /** Drops keys whose newest marker is older than the ttl, oldest first, at most `limit` per call. */
  prune(nowMs: number, limit = 10_000): number {
    let n = 0;
    for (const [key, markers] of this.#to) {
      if (n >= limit || nowMs - markers[0]!.atMs <= this.ttlMs) break;
      this.#to.delete(key);
      n++;
    }
    return n;
  }
}
