import type { Clock } from '../clock/index.js';
import type { BinStr, Store } from '../store/index.js';
import { MovedKeys } from './moved-keys.js';
import type { HandOffState } from './sink.js';
import { toWire } from './states.js';

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
    options: { markerTtlMs: number },
  ) {
    this.#moved = new MovedKeys(options.markerTtlMs);
  }

  get markers(): number {
    return this.#moved.size;
  }

  /** The states held here for `keys` (absent keys left out); marks them moved to `member`. */
  fetch(member: string, keys: readonly BinStr[]): HandOffState[] {
    const now = this.deps.clock.monotonic();
    const out: HandOffState[] = [];
    for (const key of keys) {
      const state = this.deps.store.exportKey(key);
      if (state !== undefined) out.push(toWire(key, state));
      this.#moved.mark(key, member, now);
    }
    return out;
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
