import type { BinStr } from '../store/index.js';

/** Markers kept at most; the oldest go first (a re-pull is always safe, only slower). */
export const DEFAULT_MAX_MOVED_KEYS = 1_000_000;

/**
 * The source side of pull-on-miss: keys a new owner fetched from this node. Until this node's
 * own view catches up, it may still believe it leads such a key; it then forwards the key's
 * commands to the member that pulled it instead of applying them, so the two never both accept
 * writes for it. A marker lasts `ttlMs` (monotonic) and is ignored once its member is gone.
 */
export class MovedKeys {
  readonly #to = new Map<BinStr, { member: string; atMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys = DEFAULT_MAX_MOVED_KEYS,
  ) {}

  get size(): number {
    return this.#to.size;
  }

  mark(key: BinStr, member: string, nowMs: number): void {
    this.#to.delete(key); // re-insert: Map order is age order
    this.#to.set(key, { member, atMs: nowMs });
    if (this.#to.size > this.maxKeys) {
      const oldest = this.#to.keys().next();
      if (!oldest.done) this.#to.delete(oldest.value);
    }
  }

  /**
   * The member `key` moved to, while the marker is fresh and `usable(member)` holds. Asked for
   * every command the node leads, so the clock is read only when the key has a marker.
   */
  movedTo(key: BinStr, nowMs: () => number, usable: (member: string) => boolean): string | undefined {
    if (this.#to.size === 0) return undefined;
    const m = this.#to.get(key);
    if (m === undefined) return undefined;
    if (nowMs() - m.atMs > this.ttlMs || !usable(m.member)) {
      this.#to.delete(key);
      return undefined;
    }
    return m.member;
  }

  /** Drops markers older than the ttl, oldest first, at most `limit` per call. */
  prune(nowMs: number, limit = 10_000): number {
    let n = 0;
    for (const [key, m] of this.#to) {
      if (n >= limit || nowMs - m.atMs <= this.ttlMs) break;
      this.#to.delete(key);
      n++;
    }
    return n;
  }
}
