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
    this.current += suffix;
    return this.current.length;
  }
}
