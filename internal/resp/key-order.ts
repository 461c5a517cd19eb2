import type { BinStr } from '../store/index.js';

/**
 * Per-connection execution order for pipelined commands. Commands on different keys run
 * concurrently (a forwarded one does not hold up a local one); a command on a key that an
 * earlier, still running command of this connection touches starts only after it, so one
 * client's writes and reads of a key take effect in the order sent, as on Redis. A barrier
 * (FLUSHALL, DBSIZE) waits for every earlier command, and every later command waits for it.
 * Replies are put back in request order elsewhere (StreamPipeline).
 */
export class KeyOrder {
  /** The last running command per key (a promise that never rejects). */
  private readonly byKey = new Map<BinStr, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private barrier: Promise<void> | undefined;

  /** Nothing is running: a command may start at once without computing its keys. */
  get idle(): boolean {
    return this.running.size === 0;
  }

  /**
   * Starts `start` now, or once the earlier commands it depends on have finished. A synchronous
   * result (and a synchronous throw, when nothing was waited for) is passed through as is.
   */
  run<T>(keys: readonly BinStr[], isBarrier: boolean, start: () => T | Promise<T>): T | Promise<T> {
    const waits: Array<Promise<void>> = [];
    if (this.barrier !== undefined) waits.push(this.barrier);
    if (isBarrier) waits.push(...this.running);
    else for (const k of keys) {
      const p = this.byKey.get(k);
      if (p !== undefined) waits.push(p);
    }
    const result = waits.length === 0 ? start() : Promise.all(waits).then(start);
    if (result instanceof Promise) this.track(keys, isBarrier, result);
    return result;
  }

  private track(keys: readonly BinStr[], isBarrier: boolean, result: Promise<unknown>): void {
    const done: Promise<void> = result.then(
      () => this.finish(keys, done),
      () => this.finish(keys, done),
    );
    this.running.add(done);
    for (const k of keys) this.byKey.set(k, done);
    if (isBarrier) this.barrier = done;
  }

  private finish(keys: readonly BinStr[], done: Promise<void>): void {
    this.running.delete(done);
    for (const k of keys) if (this.byKey.get(k) === done) this.byKey.delete(k);
    if (this.barrier === done) this.barrier = undefined;
  }
}
