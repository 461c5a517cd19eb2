import type { Clock, TimerHandle } from '../clock/index.js';

/** Thrown inside a run that was stopped (stop(), a newer ring, a leave deadline). */
export class Aborted extends Error {
  constructor() {
    super('hand-off abandoned');
    this.name = 'Aborted';
  }
}

/** A sink call not answered within ackTimeoutMs: counted as a failed batch and retried. */
export class AckTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`no hand-off acknowledgement within ${timeoutMs} ms`);
    this.name = 'AckTimeout';
  }
}

interface Wait {
  handle: TimerHandle | undefined;
  cancel: () => void;
}

/**
 * One run's cancellation and timers. The run is stopped once `abort()` was called or `isStale()`
 * says its ring is outdated. `abort()` also clears every timer the run set and settles every
 * wait at once (sleeps resolve, raced calls reject with Aborted), so an abandoned run ends
 * promptly and leaves no timer behind.
 */
export class RunControl {
  #aborted = false;
  readonly #waits = new Set<Wait>();

  constructor(
    private readonly clock: Clock,
    private readonly isStale: () => boolean = () => false,
  ) {}

  get stopped(): boolean {
    return this.#aborted || this.isStale();
  }

  /** Throws Aborted when the run should stop: called at chunk boundaries and between retries. */
  check(): void {
    if (this.stopped) throw new Aborted();
  }

  abort(): void {
    this.#aborted = true;
    for (const wait of [...this.#waits]) wait.cancel();
  }

  /** Resolves after `ms` on the injected clock, or at once when aborted. */
  sleep(ms: number): Promise<void> {
    return this.#wait<void>(ms, (resolve) => resolve(), (resolve) => resolve());
  }

  /**
   * Settles as `call` does, unless `timeoutMs` (> 0) passes first (rejects with AckTimeout) or
   * the run is aborted (rejects with Aborted). A late answer is ignored.
   */
  race<T>(call: Promise<T>, timeoutMs: number): Promise<T> {
    return this.#wait<T>(
      timeoutMs,
      (_resolve, reject) => reject(new AckTimeout(timeoutMs)),
      (_resolve, reject) => reject(new Aborted()),
      call,
    );
  }

  #wait<T>(
    ms: number,
    onTimer: (resolve: (v: T) => void, reject: (e: unknown) => void) => void,
    onCancel: (resolve: (v: T) => void, reject: (e: unknown) => void) => void,
    call?: Promise<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const wait: Wait = { handle: undefined, cancel: () => finish(() => onCancel(resolve, reject)) };
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        if (wait.handle !== undefined) this.clock.clearTimeout(wait.handle);
        this.#waits.delete(wait);
        settle();
      };
      // Handlers first, so a call that fails after an abort is never an unhandled rejection.
      call?.then(
        (value) => finish(() => resolve(value)),
        (err: unknown) => finish(() => reject(err)),
      );
      if (this.#aborted) {
        finish(() => onCancel(resolve, reject));
        return;
      }
      this.#waits.add(wait);
      if (ms > 0 || call === undefined) {
        wait.handle = this.clock.setTimeout(() => finish(() => onTimer(resolve, reject)), ms);
      }
    });
  }
}
