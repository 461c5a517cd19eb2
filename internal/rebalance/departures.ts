import type { Clock } from '../clock/index.js';
import type { BinStr, Store } from '../store/index.js';
import { MovedKeys } from './moved-keys.js';
import type { Fetched, HandOffState } from './sink.js';
import { estimateBytes, toWire } from './states.js';

/**
 * The source side of pull-on-miss. Answers a new owner's FetchKeys with the states held here
 * and marks each key as moved to it, so that while this node's view still says it leads the key
 * it forwards the key's commands to the new owner instead of applying them (see MovedKeys).
 */
export class Departures {
  readonly #moved: MovedKeys;
  readonly #now = (): number => this.deps.clock.monotonic();

  constructor(
    private readonly deps: { store: Store; clock: Clock },
    private readonly options: {
      markerTtlMs: number;
      /** The most bytes of states one answer carries (under limits.max_message_bytes); 0 = no bound. */
      maxAnswerBytes?: number;
    },
  ) {
    this.#moved = new MovedKeys(options.markerTtlMs);
  }

  get markers(): number {
    return this.#moved.size;
  }

  /**
   * The states held here for `keys` (absent keys left out), marking each key sent as moved to
   * `member`. Keys whose states would take the answer past maxAnswerBytes are deferred (the
   * member asks again); the first state held always goes, so every answer makes progress.
   */
  fetch(member: string, keys: readonly BinStr[]): Fetched {
    const now = this.deps.clock.monotonic();
    const max = this.options.maxAnswerBytes ?? 0;
    const states: HandOffState[] = [];
    const deferred: BinStr[] = [];
    let bytes = 0;
    for (const key of keys) {
      // Sized before it is copied out: a deferred key costs no copy of its value.
      if (max > 0 && states.length > 0 && !this.deps.store.fitsAfter(key, bytes, max)) {
        deferred.push(key);
        continue;
      }
      const state = this.deps.store.exportKey(key);
      if (state !== undefined) {
        const wire = toWire(key, state);
        bytes += estimateBytes(wire);
        states.push(wire);
      }
      this.#moved.mark(key, member, now);
    }
    return { states, deferred };
  }

  /** Where a key this node would lead was pulled to, while that member is `usable`. */
  movedTo(key: BinStr, usable: (member: string) => boolean): string | undefined {
    return this.#moved.movedTo(key, this.#now, usable);
  }

  /** Drops a bounded chunk of expired markers (call from a periodic timer). */
  prune(): number {
    return this.#moved.prune(this.deps.clock.monotonic());
  }
}
