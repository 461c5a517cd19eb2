import type { BinStr } from './bytes.js';
import { stringValueBytes } from './memory.js';

/**
 * A string value: one binary string. Unlike a hash or list, an empty string is a value (Redis
 * keeps `SET k ""`), so it is never "empty" in the sense that deletes the key on commit.
 */
export class StringValue {
  constructor(private text: BinStr = '') {}

  get type(): 'string' {
    return 'string';
  }

  get value(): BinStr {
    return this.text;
  }

  get length(): number {
    return this.text.length;
  }

  get bytes(): number {
    return stringValueBytes(this.text);
  }

  isEmpty(): boolean {
    return false;
  }

  /** Replaces the bytes; returns false when they were already these (a write that changes nothing). */
  set(text: BinStr): boolean {
    if (text === this.text) return false;
    this.text = text;
    return true;
  }

  /** APPEND: returns the new length. */
  append(suffix: BinStr): number {
    this.text += suffix;
    return this.text.length;
  }
}
