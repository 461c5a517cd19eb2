import type { Clock } from '../clock/index.js';
import type { Arrivals } from './arrivals.js';
import type { BinStr, Store } from '../store/index.js';
import { MovedKeys } from './moved-keys.js';
import type { Fetched, HandOffState, RangeKeys, RangeStates } from './sink.js';
import { estimateBytes, newestState, toWire } from './states.js';

/**
 * A node's answer to `member`'s FetchKeys (node/hand-off-wiring.ts): keys still arriving here are
 * fetched from this node's own previous owners first (a chained pull, Arrivals.chainedStates),
 * then Departures answers with the newer copy of each.
 */
export function answerFetch(
  arrivals: Pick<Arrivals, 'chainedStates'>,
  departures: Departures,
  member: string,
  keys: readonly BinStr[],
  chain = 0,
): Fetched | Promise<Fetched> {
  const chained = arrivals.chainedStates(member, keys, chain);
  if (chained === undefined) return departures.fetch(member, keys);
  return chained.then((states) => departures.fetch(member, keys, states));
}

/**
 * A node's answer to `member`'s ScanRange over `range` (node/hand-off-wiring.ts): where the range
 * is still arriving here, the keys this node's own previous owners hold there (a chained scan,
 * Arrivals.chainedScan) are asked for first, then `local` lists this store's keys up to where
 * those are complete; the union below the local page's end. First, as router.ts scanPage asks:
 * a key a previous owner forgets after answering was merged here before it was forgotten.
 */
export function answerScan(
  arrivals: Pick<Arrivals, 'chainedScan'>,
  local: (from: number, to: number) => RangeKeys,
  position: (key: BinStr) => number,
  member: string,
  range: { readonly from: number; readonly to: number; readonly args: readonly BinStr[] },
  chain = 0,
): RangeKeys | Promise<RangeKeys> {
  const chained = arrivals.chainedScan(member, range.from, range.to, range.args, chain);
  if (chained === undefined) return local(range.from, range.to);
  return chained.then((remote) => unionBelow(local(range.from, remote.next), remote.keys, position));
}

/**
 * A node's answer to `member`'s FetchRange over `range` for `forId` (node/hand-off-wiring.ts):
 * what this store holds there, and the members this node is itself still receiving parts of the
 * range from (Arrivals.stillArriving), which the asker then asks too; this node does not ask
 * them itself, so a cycle of members each still receiving the range from another ends at the
 * asker, which asks each member once.
 */
export function answerRange(
  arrivals: Pick<Arrivals, 'stillArriving'>,
  departures: Departures,
  position: (key: BinStr) => number,
  member: string,
  forId: string,
  range: { readonly from: number; readonly to: number },
): RangeStates {
  const page = departures.fetchRange(forId, range.from, range.to, position);
  const stillFrom = new Set<string>();
  for (const part of arrivals.stillArriving(range.from, range.to, forId)) for (const id of part.sources) if (id !== member) stillFrom.add(id);
  return { ...page, stillFrom: [...stillFrom] };
}

/** `page` and the keys of `more` below its `next` (complete there too), each key once. */
function unionBelow(page: RangeKeys, more: readonly BinStr[], position: (key: BinStr) => number): RangeKeys {
  const seen = new Set(page.keys);
  const keys = page.keys.slice();
  for (const k of more) {
    if (seen.has(k) || position(k) >= page.next) continue;
    seen.add(k);
    keys.push(k);
  }
  return { keys, next: page.next };
}

/** Live keys one FetchRange answer lists at most (with the tombstones below its end). */
export const RANGE_PAGE_KEYS = 256;

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
   * `chained`: states this node's own previous owners hold for keys it is still to receive
   * (Arrivals.chainedStates); each key's newer copy of the two is answered.
   */
  fetch(member: string, keys: readonly BinStr[], chained?: ReadonlyMap<BinStr, HandOffState>): Fetched {
    const now = this.deps.clock.monotonic();
    const max = this.options.maxAnswerBytes ?? 0;
    const states: HandOffState[] = [];
    const deferred: BinStr[] = [];
    let bytes = 0;
    for (const key of keys) {
      const fetched = chained?.get(key);
      // Sized before it is copied out: a deferred key costs no copy of its value.
      if (max > 0 && states.length > 0 && !this.#fits(key, fetched, bytes, max)) {
        deferred.push(key);
        continue;
      }
      const held = this.deps.store.exportKey(key);
      const state = newestState(held === undefined ? undefined : toWire(key, held), fetched);
      if (state !== undefined) {
        bytes += estimateBytes(state);
        states.push(state);
      }
      this.#moved.mark(key, member, now);
    }
    return { states, deferred };
  }

  /**
   * Everything held here in ring positions [from, to), tombstones included, complete below the
   * returned `next`, each key sent marked as moved to `forId` (a member's FetchRange before it
   * reports the range handed off to `forId`; see Arrivals.stillArriving). One page of live keys;
   * where their states do not fit one answer, `next` stops at the first key left out (in position
   * order, so an answer always gets past its first key's position unless another shares it).
   */
  fetchRange(forId: string, from: number, to: number, position: (key: BinStr) => number): Omit<RangeStates, 'stillFrom'> {
    const page = this.deps.store.scan(from, to, RANGE_PAGE_KEYS);
    const at = new Map<BinStr, number>();
    for (const key of page.keys) at.set(key, position(key));
    for (const key of this.deps.store.tombstonedKeys(from, page.next)) at.set(key, position(key));
    const keys = [...at.keys()].sort((a, b) => at.get(a)! - at.get(b)!);
    const { states, deferred } = this.fetch(forId, keys);
    let next = page.next;
    for (const key of deferred) next = Math.min(next, at.get(key)!);
    return { states: states.filter((s) => at.get(s.key)! < next), next };
  }

  /** Whether `key`'s state (held here, or `fetched` for it) fits after `bytes` of an answer. */
  #fits(key: BinStr, fetched: HandOffState | undefined, bytes: number, max: number): boolean {
    if (!this.deps.store.fitsAfter(key, bytes, max)) return false;
    return fetched === undefined || bytes + estimateBytes(fetched) <= max;
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
