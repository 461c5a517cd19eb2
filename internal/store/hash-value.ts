import type { BinStr } from './bytes.js';
import { hashFieldBytes } from './memory.js';

/** What a field write did: commands count `added` and skip effects when `unchanged`. */
export type FieldWrite = 'added' | 'updated' | 'unchanged';

/**
 * Fields a hash keeps in a flat array before it switches to a Map. A Map costs about 250 B
 * before its first field; most cached hashes are small (a user, a session), so small ones are
 * a flat [f1, v1, f2, v2, ...] array searched linearly (as Redis keeps small hashes in a
 * listpack), which halves the heap of a one-field hash. 16 fields scan in well under a
 * microsecond.
 */
export const SMALL_HASH_MAX_FIELDS = 16;

/**
 * A hash value: field -> value in insertion order, with its estimated bytes kept in step with
 * every mutation (the store charges `bytes` to the key when the command commits). Small hashes
 * live in a flat array, larger ones in a Map; the switch is one way.
 */
export class HashValue {
  /** The fields while small: [f1, v1, f2, v2, ...]; undefined once `map` took over. */
  private flat: BinStr[] | undefined = NO_FIELDS;
  private map: Map<BinStr, BinStr> | undefined;
  private byteCount = 0;

  /** Builds a hash from a flat [f1, v1, f2, v2, ...] array (transfer state). */
  static fromFlat(flat: readonly BinStr[]): HashValue {
    const h = new HashValue();
    for (let i = 0; i + 1 < flat.length; i += 2) h.set(flat[i]!, flat[i + 1]!);
    return h;
  }

  get size(): number {
    return this.flat !== undefined ? this.flat.length >>> 1 : this.map!.size;
  }

  get bytes(): number {
    return this.byteCount;
  }

  isEmpty(): boolean {
    return this.size === 0;
  }

  get(field: BinStr): BinStr | undefined {
    const flat = this.flat;
    if (flat === undefined) return this.map!.get(field);
    const i = indexOf(flat, field);
    return i < 0 ? undefined : flat[i + 1];
  }

  has(field: BinStr): boolean {
    return this.flat !== undefined ? indexOf(this.flat, field) >= 0 : this.map!.has(field);
  }

  set(field: BinStr, value: BinStr): FieldWrite {
    const flat = this.flat;
    let old: BinStr | undefined;
    if (flat !== undefined) {
      const i = indexOf(flat, field);
      if (i >= 0) {
        old = flat[i + 1]!;
        if (old === value) return 'unchanged';
        flat[i + 1] = value;
      } else if (flat.length >>> 1 < SMALL_HASH_MAX_FIELDS) {
        this.flat = withPair(flat, field, value);
      } else {
        this.grow().set(field, value);
      }
    } else {
      old = this.map!.get(field);
      if (old === value) return 'unchanged';
      this.map!.set(field, value);
    }
    if (old === undefined) {
      this.byteCount += hashFieldBytes(field, value);
      return 'added';
    }
    this.byteCount += value.length - old.length;
    return 'updated';
  }

  delete(field: BinStr): boolean {
    const flat = this.flat;
    let old: BinStr | undefined;
    if (flat !== undefined) {
      const i = indexOf(flat, field);
      if (i < 0) return false;
      old = flat[i + 1]!;
      this.flat = withoutPair(flat, i);
    } else {
      old = this.map!.get(field);
      if (old === undefined) return false;
      this.map!.delete(field);
    }
    this.byteCount -= hashFieldBytes(field, old);
    return true;
  }

  *entries(): IterableIterator<[BinStr, BinStr]> {
    const flat = this.flat;
    if (flat === undefined) {
      yield* this.map!.entries();
      return;
    }
    for (let i = 0; i < flat.length; i += 2) yield [flat[i]!, flat[i + 1]!];
  }

  fields(): BinStr[] {
    const flat = this.flat;
    if (flat === undefined) return [...this.map!.keys()];
    const out = new Array<BinStr>(flat.length >>> 1);
    for (let i = 0; i < out.length; i++) out[i] = flat[2 * i]!;
    return out;
  }

  values(): BinStr[] {
    const flat = this.flat;
    if (flat === undefined) return [...this.map!.values()];
    const out = new Array<BinStr>(flat.length >>> 1);
    for (let i = 0; i < out.length; i++) out[i] = flat[2 * i + 1]!;
    return out;
  }

  /** The flat [f1, v1, f2, v2, ...] form used by transfer state. */
  toFlat(): BinStr[] {
    if (this.flat !== undefined) return this.flat.slice();
    const out: BinStr[] = [];
    for (const [f, v] of this.map!) out.push(f, v);
    return out;
  }

  /** Moves the fields into a Map (one way: a hash that grew large once stays a Map). */
  private grow(): Map<BinStr, BinStr> {
    const map = new Map<BinStr, BinStr>();
    const flat = this.flat!;
    for (let i = 0; i < flat.length; i += 2) map.set(flat[i]!, flat[i + 1]!);
    this.map = map;
    this.flat = undefined;
    return map;
  }
}

/** Shared by every hash that has no field yet; never written (a write replaces the array). */
const NO_FIELDS: BinStr[] = [];

/**
 * A copy of `flat` with one more pair, allocated at its exact size: push() and spreads leave
 * spare capacity (a two-item array took 166 B of elements instead of 32), which on a small
 * hash costs more than the fields themselves.
 */
function withPair(flat: readonly BinStr[], field: BinStr, value: BinStr): BinStr[] {
  const n = flat.length;
  const out = new Array<BinStr>(n + 2);
  for (let i = 0; i < n; i++) out[i] = flat[i]!;
  out[n] = field;
  out[n + 1] = value;
  return out;
}

/** A copy of `flat` without the pair at `at`, at its exact size. */
function withoutPair(flat: readonly BinStr[], at: number): BinStr[] {
  const out = new Array<BinStr>(flat.length - 2);
  for (let i = 0, j = 0; i < flat.length; i++) if (i !== at && i !== at + 1) out[j++] = flat[i]!;
  return out;
}

/** The index of `field` among the fields (even positions) of `flat`, or -1. */
function indexOf(flat: readonly BinStr[], field: BinStr): number {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === field) return i;
  return -1;
}
