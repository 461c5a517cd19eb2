import type { Clock } from '../clock/index.js';

/** Marks held at most (64 KiB). */
const MAX_MARKS = 4096;
/** The LRU clock counts modulo 2^30 (Keyspace.touch); marks older than half of that go. */
const CLOCK_MASK = 2 ** 30 - 1;
const MAX_MARK_AGE = 2 ** 29;
/** How often the node marks the time: OBJECT IDLETIME's resolution, as that of Redis's LRU clock. */
export const TIME_MARK_PERIOD_MS = 1000;

/**
 * When the LRU clock's stamps were handed out, so a key's idle time is known in seconds (OBJECT
 * IDLETIME) with no time field on every key (a field costs 8 B a key; the clock counts touches,
 * which eviction compares, not time) and no clock read on a touch (a read of a key without a TTL
 * reads no clock otherwise: one more would cost about 55 ns on every such read).
 *
 * A timer marks the time every TIME_MARK_PERIOD_MS (startTimeMarks): (the next stamp, now).
 * Every stamp from one mark up to the next was handed out between their times, so a key's last
 * touch is known to within the period: its idle time is measured from the newest mark at or
 * before its stamp (rounding up by less than a period, more while the event loop is blocked).
 * Once MAX_MARKS are held, each new mark removes the one whose loss errs least relative to the
 * age of the stamps it covered, so precision is relative: with 4096 marks, a key idle an hour or
 * a month is known to a fraction of a percent (touch-times.test.ts), and an idle time is never
 * under-reported. Marks more than 2^29 touches old are dropped before their stamps come round
 * again; a key older than every mark is reported as old as the oldest.
 */
export class TouchTimes {
  private readonly stamps: number[] = [];
  private readonly times: number[] = [];

  /** Stamps from `stamp` on are handed out at `nowMs` or later. */
  note(stamp: number, nowMs: number): void {
    const last = this.stamps.length - 1;
    if (last >= 0 && this.stamps[last] === stamp) {
      // No touch since the last mark: the same stamp, now known to come later still.
      this.times[last] = Math.max(this.times[last]!, nowMs);
      return;
    }
    this.stamps.push(stamp);
    this.times.push(nowMs);
    let old = 0;
    while (old < this.stamps.length - 1 && ((stamp - this.stamps[old]!) & CLOCK_MASK) > MAX_MARK_AGE) old++;
    if (old > 0) {
      this.stamps.splice(0, old);
      this.times.splice(0, old);
    }
    if (this.stamps.length > MAX_MARKS) this.dropLeastUseful(nowMs);
  }

  /**
   * Ms since `stamp` was handed out, given `latest`, a stamp no older than any mark (the next one
   * to be handed out), and the time now (never negative).
   */
  idleMs(stamp: number, latest: number, nowMs: number): number {
    const n = this.stamps.length;
    if (n === 0) return 0;
    const age = (latest - stamp) & CLOCK_MASK;
    // Mark ages fall from the oldest mark to the newest: find the newest mark at least as old.
    let lo = 0;
    let hi = n - 1;
    if (((latest - this.stamps[0]!) & CLOCK_MASK) < age) hi = 0; // older than every mark
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (((latest - this.stamps[mid]!) & CLOCK_MASK) >= age) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(0, nowMs - this.times[lo]!);
  }

  /**
   * Removes the mark i (never the oldest or the newest) whose stamps, counted from mark i - 1
   * instead, would be over-aged least relative to their age: (t[i+1] - t[i-1]) / (now - t[i+1]).
   * O(marks), at most once a second.
   */
  private dropLeastUseful(nowMs: number): void {
    const { times } = this;
    let best = 1;
    let bestRatio = Infinity;
    for (let i = 1; i < times.length - 1; i++) {
      const ratio = (times[i + 1]! - times[i - 1]!) / Math.max(1, nowMs - times[i + 1]!);
      if (ratio < bestRatio) {
        bestRatio = ratio;
        best = i;
      }
    }
    this.stamps.splice(best, 1);
    times.splice(best, 1);
  }
}

/** Marks the store's time every TIME_MARK_PERIOD_MS on the injected clock; returns a stop function. */
export function startTimeMarks(store: { markTime(): void }, clock: Clock): () => void {
  let stopped = false;
  let timer = clock.setTimeout(function tick() {
    store.markTime();
    if (!stopped) timer = clock.setTimeout(tick, TIME_MARK_PERIOD_MS);
  }, TIME_MARK_PERIOD_MS);
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}
