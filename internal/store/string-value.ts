import type { BinStr } from './bytes.js';
import { StoredEntry } from './entry.js';
import { stringValueBytes } from './memory.js';

/**
 * A string key: its entry (StoredEntry's bookkeeping) and its value, one binary string, in one
 * object that is its own `value`. Unlike a hash or list, an empty string is a value (Redis
 * keeps `SET k ""`), so it is never "empty" in the sense that deletes the key on commit.
 */
export class StringValue extends StoredEntry {
  constructor(
    key: BinStr,
    private current: BinStr = '',
  ) {
    super(key);
  }

  get type(): 'string' {
    return 'string';
  }

  get value(): StringValue {
    return this;
  }

  /** The string's bytes. */
  get text(): BinStr {
    return this.current;
  }

  get length(): number {
    return this.current.length;
  }

  get bytes(): number {
    return stringValueBytes(this.current);
  }

  isEmpty(): boolean {
    return false;
  }

  /** Replaces the bytes; returns false when they were already these (a write that changes nothing). */
  set(text: BinStr): boolean {
    if (text === this.current) return false;
    this.current = text;
    return true;
  }

  /** APPEND: returns the new length. */
  append(suffix: BinStr): number {
    const before = this.current.length;
    const text = this.current + suffix;
    if (flattenAfterAppend(before, text.length)) FLATTEN.test(text);
    this.current = text;
    return text.length;
  }
}

/**
 * Whether an APPEND from `before` to `after` bytes flattens the value: when it crosses a multiple
 * of 1/64 of the value's size (at least 16 bytes). V8 joins strings by a 32 B cons cell per
 * piece, without copying, and memory accounting charges bytes only: 1000 APPENDs of one byte
 * held 32 KB for a 1 KB value. Flattening at these steps keeps the pieces under about 1/64 of
 * the value's bytes (at most 1.5x for one-byte pieces), at 64-128 bytes copied per byte appended.
 */
function flattenAfterAppend(before: number, after: number): boolean {
  const step = Math.max(16, 2 ** Math.floor(Math.log2(after)) / 64);
  return Math.floor(before / step) !== Math.floor(after / step);
}

/**
 * Matching a regexp flattens a cons string in place (the engine needs its bytes in one piece):
 * half the cost of a copy through a Buffer, and the string keeps its identity.
 */
const FLATTEN = /^/;
