import type { BinStr } from './bytes.js';
import { hashFieldBytes } from './memory.js';

/** What a field write did: commands count `added` and skip effects when `unchanged`. */
export type FieldWrite = 'added' | 'updated' | 'unchanged';

/**
 * A hash value: field -> value in insertion order, with its estimated bytes kept in step with
 * every mutation (the store charges `bytes` to the key when the command commits).
 */
export class HashValue {
  private readonly map = new Map<BinStr, BinStr>();
  private byteCount = 0;

  /** Builds a hash from a flat [f1, v1, f2, v2, ...] array (transfer state). */
  static fromFlat(flat: readonly BinStr[]): HashValue {
    const h = new HashValue();
    for (let i = 0; i + 1 < flat.length; i += 2) h.set(flat[i]!, flat[i + 1]!);
    return h;
  }

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.byteCount;
  }

  isEmpty(): boolean {
    return this.map.size === 0;
  }

  get(field: BinStr): BinStr | undefined {
    return this.map.get(field);
  }

  has(field: BinStr): boolean {
    return this.map.has(field);
  }

  set(field: BinStr, value: BinStr): FieldWrite {
    const old = this.map.get(field);
    if (old === value) return 'unchanged';
    this.map.set(field, value);
    if (old === undefined) {
      this.byteCount += hashFieldBytes(field, value);
      return 'added';
    }
    this.byteCount += value.length - old.length;
    return 'updated';
  }

  delete(field: BinStr): boolean {
    const old = this.map.get(field);
    if (old === undefined) return false;
    this.map.delete(field);
    this.byteCount -= hashFieldBytes(field, old);
    return true;
  }

  entries(): IterableIterator<[BinStr, BinStr]> {
    return this.map.entries();
  }

  fields(): BinStr[] {
    return [...this.map.keys()];
  }

  values(): BinStr[] {
    return [...this.map.values()];
  }

  /** The flat [f1, v1, f2, v2, ...] form used by transfer state. */
  toFlat(): BinStr[] {
    const out: BinStr[] = [];
    for (const [f, v] of this.map) out.push(f, v);
    return out;
  }
}
