import type { BinStr } from './bytes.js';
import { Deque } from './deque.js';
import { StoredEntry } from './entry.js';
import { listElementBytes } from './memory.js';

/**
 * Turns Redis's inclusive, possibly negative [start, stop] into a clamped half-open [from, to)
 * over a list of `length` items (LRANGE and LTRIM rules): an empty range gives from >= to.
 */
export function redisRange(start: number, stop: number, length: number): [number, number] {
  let from = start < 0 ? length + start : start;
  let to = stop < 0 ? length + stop : stop;
  if (from < 0) from = 0;
  if (to >= length) to = length - 1;
  if (from > to || from >= length) return [0, 0];
  return [from, to + 1];
}

/**
 * A list key: its entry (StoredEntry's bookkeeping) and its value in one object that is its own
 * `value`. The value is a deque of binary strings with its estimated bytes kept in step with
 * every mutation (the store charges `bytes` to the key when the command commits).
 */
export class ListValue extends StoredEntry {
  get type(): 'list' {
    return 'list';
  }

  get value(): ListValue {
    return this;
  }

  private readonly items: Deque<BinStr>;
  private byteCount = 0;

  constructor(key: BinStr, items: readonly BinStr[] = []) {
    super(key);
    this.items = new Deque(items);
    for (const v of items) this.byteCount += listElementBytes(v);
  }

  get length(): number {
    return this.items.length;
  }

  get bytes(): number {
    return this.byteCount;
  }

  isEmpty(): boolean {
    return this.items.length === 0;
  }

  pushFront(value: BinStr): void {
    this.items.pushFront(value);
    this.byteCount += listElementBytes(value);
  }

  pushBack(value: BinStr): void {
    this.items.pushBack(value);
    this.byteCount += listElementBytes(value);
  }

  popFront(): BinStr | undefined {
    const v = this.items.popFront();
    if (v !== undefined) this.byteCount -= listElementBytes(v);
    return v;
  }

  popBack(): BinStr | undefined {
    const v = this.items.popBack();
    if (v !== undefined) this.byteCount -= listElementBytes(v);
    return v;
  }

  /** Redis index (negative counts from the tail); undefined when out of range. */
  at(index: number): BinStr | undefined {
    return this.items.at(index < 0 ? this.items.length + index : index);
  }

  /**
   * Sets the item at a Redis index. Returns 'out-of-range', or whether the value changed (a write
   * of the same bytes changes nothing and ships no effect).
   */
  set(index: number, value: BinStr): 'out-of-range' | 'changed' | 'unchanged' {
    const i = index < 0 ? this.items.length + index : index;
    if (i < 0 || i >= this.items.length) return 'out-of-range';
    const old = this.items.at(i)!;
    if (old === value) return 'unchanged';
    this.items.set(i, value);
    this.byteCount += value.length - old.length;
    return 'changed';
  }

  /** LRANGE: items between Redis indices start..stop inclusive. */
  range(start: number, stop: number): BinStr[] {
    const [from, to] = redisRange(start, stop, this.items.length);
    return this.items.slice(from, to);
  }

  /** LTRIM: keeps only start..stop inclusive; returns how many items were removed. */
  trim(start: number, stop: number): number {
    const len = this.items.length;
    const [from, to] = redisRange(start, stop, len);
    const removed = len - (to - from);
    if (removed === 0) return 0;
    // Pop from the ends when that is cheaper than rebuilding (the common "keep the newest N").
    if (removed <= (to - from)) {
      for (let i = len; i > to; i--) this.popBack();
      for (let i = 0; i < from; i++) this.popFront();
    } else {
      this.replace(this.items.slice(from, to));
    }
    return removed;
  }

  /**
   * LREM: removes up to |count| items equal to `value` (all when count is 0), scanning from the
   * head when count >= 0 and from the tail when count < 0. Returns the number removed.
   */
  remove(count: number, value: BinStr): number {
    const all = this.items.toArray();
    const limit = count === 0 ? Infinity : Math.abs(count);
    let removed = 0;
    const keep = new Array<boolean>(all.length).fill(true);
    const step = count < 0 ? -1 : 1;
    for (let i = count < 0 ? all.length - 1 : 0; i >= 0 && i < all.length; i += step) {
      if (removed >= limit) break;
      if (all[i] === value) {
        keep[i] = false;
        removed++;
      }
    }
    if (removed > 0) this.replace(all.filter((_, i) => keep[i]));
    return removed;
  }

  /**
   * LINSERT: puts `value` just before or after the first item equal to `pivot` (from the head).
   * Returns false, changing nothing, when no item equals it.
   */
  insert(pivot: BinStr, value: BinStr, after: boolean): boolean {
    const all = this.items.toArray();
    const at = all.indexOf(pivot);
    if (at < 0) return false;
    all.splice(after ? at + 1 : at, 0, value);
    this.replace(all);
    return true;
  }

  /**
   * LPOS: head-based indices of items equal to `value`, scanning from the head (or from the tail
   * when `fromTail`), skipping the first `rank - 1` matches, comparing at most `maxLen` items
   * (0: all) and stopping after `count` results (0: all).
   */
  positions(value: BinStr, rank: number, fromTail: boolean, count: number, maxLen: number): number[] {
    const len = this.items.length;
    const steps = maxLen > 0 ? Math.min(len, maxLen) : len;
    const out: number[] = [];
    let matches = 0;
    for (let step = 0; step < steps; step++) {
      const i = fromTail ? len - 1 - step : step;
      if (this.items.at(i) !== value || ++matches < rank) continue;
      out.push(i);
      if (out.length === count) break;
    }
    return out;
  }

  toArray(): BinStr[] {
    return this.items.toArray();
  }

  private replace(items: readonly BinStr[]): void {
    this.items.replaceAll(items);
    this.byteCount = 0;
    for (const v of items) this.byteCount += listElementBytes(v);
  }
}
