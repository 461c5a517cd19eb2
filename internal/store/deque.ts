/**
 * A growable ring buffer: O(1) push and pop at both ends and O(1) indexed access, which is what
 * LPUSH/RPOP/LINDEX/LSET need. Capacity is a power of two so wrapping is a mask; it doubles when
 * full and halves when three quarters are unused, so a drained list gives its memory back.
 */
const MIN_CAPACITY = 4;

export class Deque<T> {
  private buf: Array<T | undefined>;
  private head = 0;
  private len = 0;
  private mask: number;

  constructor(items: readonly T[] = []) {
    let cap = MIN_CAPACITY;
    while (cap < items.length) cap *= 2;
    this.buf = new Array<T | undefined>(cap);
    this.mask = cap - 1;
    for (let i = 0; i < items.length; i++) this.buf[i] = items[i];
    this.len = items.length;
  }

  get length(): number {
    return this.len;
  }

  /** Slots allocated (for tests of growth and shrinking). */
  get capacity(): number {
    return this.buf.length;
  }

  pushBack(item: T): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.buf[(this.head + this.len) & this.mask] = item;
    this.len++;
  }

  pushFront(item: T): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = item;
    this.len++;
  }

  popFront(): T | undefined {
    if (this.len === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined; // let the value be collected
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return item;
  }

  popBack(): T | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) & this.mask;
    const item = this.buf[i];
    this.buf[i] = undefined;
    this.len--;
    this.maybeShrink();
    return item;
  }

  /** The item at `index` from the front (0-based), or undefined outside [0, length). */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.len) return undefined;
    return this.buf[(this.head + index) & this.mask];
  }

  /** Replaces the item at `index` (must be in range) and returns the old one. */
  set(index: number, item: T): T {
    if (index < 0 || index >= this.len) throw new RangeError(`index ${index} outside deque`);
    const i = (this.head + index) & this.mask;
    const old = this.buf[i] as T;
    this.buf[i] = item;
    return old;
  }

  /** Items in [start, end) as a new array; the bounds must already be clamped. */
  slice(start: number, end: number): T[] {
    const out: T[] = [];
    for (let i = Math.max(0, start); i < Math.min(end, this.len); i++) {
      out.push(this.buf[(this.head + i) & this.mask] as T);
    }
    return out;
  }

  toArray(): T[] {
    return this.slice(0, this.len);
  }

  /** Replaces all items at once (LTRIM and LREM rebuild the list in one pass). */
  replaceAll(items: readonly T[]): void {
    let cap = MIN_CAPACITY;
    while (cap < items.length) cap *= 2;
    this.buf = new Array<T | undefined>(cap);
    this.mask = cap - 1;
    for (let i = 0; i < items.length; i++) this.buf[i] = items[i];
    this.head = 0;
    this.len = items.length;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) & this.mask] as T;
  }

  private maybeShrink(): void {
    const cap = this.buf.length;
    if (cap > MIN_CAPACITY && this.len <= cap / 4) this.resize(cap / 2);
  }

  private resize(cap: number): void {
    const next = new Array<T | undefined>(cap);
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) & this.mask];
    this.buf = next;
    this.head = 0;
    this.mask = cap - 1;
  }
}
