import type { StoredEntry } from './entry.js';

type SlotField = 'ttlSlot';

/**
 * A set of entries kept in a dense array, each entry remembering its own index, so a uniform
 * random pick and a removal (swap with the last) are both O(1) with no extra map. The store keeps
 * the keys with a TTL in one (active expiry, volatile-lru); all keys are picked from KeyBuckets.
 */
export class EntryArray {
  private readonly items: StoredEntry[] = [];

  constructor(private readonly field: SlotField) {}

  get size(): number {
    return this.items.length;
  }

  has(entry: StoredEntry): boolean {
    const i = entry[this.field];
    return i >= 0 && this.items[i] === entry;
  }

  add(entry: StoredEntry): void {
    if (this.has(entry)) return;
    entry[this.field] = this.items.length;
    this.items.push(entry);
  }

  delete(entry: StoredEntry): void {
    const i = entry[this.field];
    if (i < 0 || this.items[i] !== entry) return;
    const last = this.items.pop()!;
    if (last !== entry) {
      this.items[i] = last;
      last[this.field] = i;
    }
    entry[this.field] = -1;
  }

  /** The entry at `index` in [0, size): callers pick indices from a Random. */
  at(index: number): StoredEntry | undefined {
    return this.items[index];
  }
}
