/** Opaque handle returned by Clock.setTimeout. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * Time as an input: everything that reads time or schedules work takes a Clock, so tests drive
 * time by hand instead of sleeping. `now()` is wall-clock milliseconds (used for absolute expiry
 * and versions); `monotonic()` is for measuring durations and never goes backwards.
 */
export interface Clock {
  now(): number;
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. Timers are unref'd so a forgotten one never keeps a process alive. */
export class SystemClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    timer.unref();
    this.timers.set(id, timer);
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.timers.get(handle.id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(handle.id);
    }
  }
}

/** A clock that moves only when told to. `advance()` fires due timers in time order. */
export class ManualClock implements Clock {
  private current: number;
  private mono = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.mono + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Moves time forward by `ms`, running every timer that falls due, earliest first. */
  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      let nextId = -1;
      let nextAt = Infinity;
      for (const [id, t] of this.timers) {
        if (t.at <= target && (t.at < nextAt || (t.at === nextAt && id < nextId))) {
          nextId = id;
          nextAt = t.at;
        }
      }
      if (nextId < 0) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.current += timer.at - this.mono;
      this.mono = timer.at;
      timer.fn();
    }
    this.current += target - this.mono;
    this.mono = target;
  }

  /** Sets the wall clock without moving monotonic time (models clock steps). */
  setWallClock(ms: number): void {
    this.current = ms;
  }

  pendingTimers(): number {
    return this.timers.size;
  }
}
