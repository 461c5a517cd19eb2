import type { BinStr } from './bytes.js';
import { StoredEntry } from './entry.js';
import { canonicalField } from './field-names.js';
import { hashFieldBytes } from './memory.js';

/** What a field write did: commands count `added` and skip effects when `unchanged`. */
export type FieldWrite = 'added' | 'updated' | 'unchanged';

/**
 * Fields a hash keeps in its small form before it switches to a Map. A Map costs about 250 B
 * before its first field; most cached hashes are small (a user, a session), so small ones are
 * searched linearly (as Redis keeps small hashes in a listpack). 16 fields scan in well under a
 * microsecond.
 */
export const SMALL_HASH_MAX_FIELDS = 16;

/** A large hash's pairs, with their estimated bytes kept in step with every mutation. */
class FieldMap extends Map<BinStr, BinStr> {
  bytes = 0;
}

/**
 * A hash key: its entry (StoredEntry's bookkeeping) and its fields, in one object that is its own
 * `value`. Fields map to values in insertion order, with their estimated bytes (the store
 * charges `bytes` to the key when the command commits). A small hash sums them when asked, up
 * to 16 pairs, rather than keeping one more number in every hash; a large one keeps them in step.
 *
 * Small form: the first pair sits in the object itself and the others in an exact-size flat
 * array [f1, v1, f2, v2, ...]. A one-field hash (the most common cached shape) then needs no
 * array at all: an array costs 64 B of heap (its object and its elements) before its first
 * pair, more than the object's two extra slots. Large form: every pair in a Map; the switch is
 * one way.
 */
export class HashValue extends StoredEntry {
  get type(): 'hash' {
    return 'hash';
  }

  get value(): HashValue {
    return this;
  }

  /** Small form: the first field, undefined while the hash is empty. Large form: undefined. */
  private field0: BinStr | undefined = undefined;
  private value0: BinStr | undefined = undefined;
  /** Small form: the pairs after the first, flat; large form: every pair. */
  private more: BinStr[] | FieldMap = NO_FIELDS;

  /** Builds a hash key from a flat [f1, v1, f2, v2, ...] array (transfer state). */
  static fromFlat(key: BinStr, flat: readonly BinStr[]): HashValue {
    const h = new HashValue(key);
    for (let i = 0; i + 1 < flat.length; i += 2) h.set(flat[i]!, flat[i + 1]!);
    return h;
  }

  get size(): number {
    const more = this.more;
    if (more instanceof FieldMap) return more.size;
    return this.field0 === undefined ? 0 : 1 + (more.length >>> 1);
  }

  get bytes(): number {
    const more = this.more;
    if (more instanceof FieldMap) return more.bytes;
    if (this.field0 === undefined) return 0;
    let bytes = hashFieldBytes(this.field0, this.value0!);
    for (let i = 0; i < more.length; i += 2) bytes += hashFieldBytes(more[i]!, more[i + 1]!);
    return bytes;
  }

  isEmpty(): boolean {
    return this.size === 0;
  }

  get(field: BinStr): BinStr | undefined {
    if (this.field0 === field) return this.value0;
    const more = this.more;
    if (more instanceof FieldMap) return more.get(field);
    const i = indexOf(more, field);
    return i < 0 ? undefined : more[i + 1];
  }

  /** The field at `index` in insertion order (HRANDFIELD); a large hash walks to it. */
  fieldAt(index: number): BinStr | undefined {
    const more = this.more;
    if (more instanceof FieldMap) {
      let at = 0;
      for (const field of more.keys()) if (at++ === index) return field;
      return undefined;
    }
    return index === 0 ? this.field0 : more[2 * (index - 1)];
  }

  has(field: BinStr): boolean {
    return this.get(field) !== undefined;
  }

  /** Sets a field; a new field stores the pooled copy of its name (see field-names.ts). */
  set(name: BinStr, value: BinStr): FieldWrite {
    const more = this.more;
    if (more instanceof FieldMap) {
      const old = more.get(name);
      if (old === value) return 'unchanged';
      if (old !== undefined) {
        more.set(name, value);
        more.bytes += value.length - old.length;
        return 'updated';
      }
      const field = canonicalField(name);
      more.set(field, value);
      more.bytes += hashFieldBytes(field, value);
      return 'added';
    }
    if (this.field0 === name) {
      if (this.value0 === value) return 'unchanged';
      this.value0 = value;
      return 'updated';
    }
    const i = indexOf(more, name);
    if (i >= 0) {
      if (more[i + 1] === value) return 'unchanged';
      more[i + 1] = value;
      return 'updated';
    }
    const field = canonicalField(name);
    if (this.field0 === undefined) {
      this.field0 = field; // an empty small hash: `more` is empty too
      this.value0 = value;
    } else if (1 + (more.length >>> 1) < SMALL_HASH_MAX_FIELDS) this.more = withPair(more, field, value);
    else {
      const map = this.grow();
      map.set(field, value);
      map.bytes += hashFieldBytes(field, value);
    }
    return 'added';
  }

  delete(field: BinStr): boolean {
    const more = this.more;
    if (more instanceof FieldMap) {
      const old = more.get(field);
      if (old === undefined) return false;
      more.delete(field);
      more.bytes -= hashFieldBytes(field, old);
    } else if (this.field0 === field) {
      // The second pair moves up, so the order of the rest is kept.
      this.field0 = more[0];
      this.value0 = more[1];
      if (more.length > 0) this.more = withoutPair(more, 0);
    } else {
      const i = indexOf(more, field);
      if (i < 0) return false;
      this.more = withoutPair(more, i);
    }
    return true;
  }

  *entries(): IterableIterator<[BinStr, BinStr]> {
    const more = this.more;
    if (more instanceof FieldMap) {
      yield* more.entries();
      return;
    }
    if (this.field0 !== undefined) yield [this.field0, this.value0!];
    for (let i = 0; i < more.length; i += 2) yield [more[i]!, more[i + 1]!];
  }

  fields(): BinStr[] {
    return this.pick(0);
  }

  values(): BinStr[] {
    return this.pick(1);
  }

  /** The flat [f1, v1, f2, v2, ...] form used by transfer state. */
  toFlat(): BinStr[] {
    const more = this.more;
    if (more instanceof FieldMap) {
      // Sized once and filled by forEach: a third of the time of pushing [f, v] pairs from the
      // iterator (1.5M fields: 0.1 s against 0.37 s), paid in one turn when a large key moves.
      const flat = new Array<BinStr>(2 * more.size);
      let i = 0;
      more.forEach((value, field) => {
        flat[i++] = field;
        flat[i++] = value;
      });
      return flat;
    }
    const out: BinStr[] = [];
    if (this.field0 !== undefined) out.push(this.field0, this.value0!);
    for (let i = 0; i < more.length; i++) out.push(more[i]!);
    return out;
  }

  /** The fields (half 0) or the values (half 1), in order. */
  private pick(half: 0 | 1): BinStr[] {
    const more = this.more;
    if (more instanceof FieldMap) return [...(half === 0 ? more.keys() : more.values())];
    if (this.field0 === undefined) return [];
    const out = new Array<BinStr>(1 + (more.length >>> 1));
    out[0] = half === 0 ? this.field0 : this.value0!;
    for (let i = 1; i < out.length; i++) out[i] = more[2 * (i - 1) + half]!;
    return out;
  }

  /** Moves the fields into a Map (one way: a hash that grew large once stays a Map). */
  private grow(): FieldMap {
    const map = new FieldMap();
    map.bytes = this.bytes;
    const more = this.more as BinStr[];
    map.set(this.field0!, this.value0!);
    for (let i = 0; i < more.length; i += 2) map.set(more[i]!, more[i + 1]!);
    this.field0 = undefined;
    this.value0 = undefined;
    this.more = map;
    return map;
  }
}

/** Shared by every small hash with at most one field; never written (a write replaces it). */
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

/** A copy of `flat` without the pair at `at`, at its exact size (NO_FIELDS when empty). */
function withoutPair(flat: readonly BinStr[], at: number): BinStr[] {
  if (flat.length === 2) return NO_FIELDS;
  const out = new Array<BinStr>(flat.length - 2);
  for (let i = 0, j = 0; i < flat.length; i++) if (i !== at && i !== at + 1) out[j++] = flat[i]!;
  return out;
}

/** The index of `field` among the fields (even positions) of `flat`, or -1. */
function indexOf(flat: readonly BinStr[], field: BinStr): number {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === field) return i;
  return -1;
}
