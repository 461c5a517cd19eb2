import type { StoredEntry } from './entry.js';

/**
 * The keys with a TTL (active expiry, volatile-lru), in a dense array where each entry remembers
 * its index in `ttlSlot`, so a uniform random pick and a removal (swap with the last) are both
 * O(1) with no extra map. All keys are picked from KeyBuckets instead.
 */
export class EntryArray {
  private readonly items: StoredEntry[] = [];

  get size(): number {
    return this.items.length;
  }

  has(entry: StoredEntry): boolean {
    const i = entry.ttlSlot;
    return i >= 0 && this.items[i] === entry;
  }

  add(entry: StoredEntry): void {
    if (this.has(entry)) return;
    entry.ttlSlot = this.items.length;
    this.items.push(entry);
  }

  delete(entry: StoredEntry): void {
    const i = entry.ttlSlot;
    if (i < 0 || this.items[i] !== entry) return;
    const last = this.items.pop()!;
    if (last !== entry) {
      this.items[i] = last;
      last.ttlSlot = i;
    }
    entry.ttlSlot = -1;
  }

  /** The entry at `index` in [0, size): callers pick indices from a Random. */
  at(index: number): StoredEntry | undefined {
    return this.items[index];
  }
}
