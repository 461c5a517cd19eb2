import type { Clock } from '../clock/index.js';
import { GokvError, unavailable } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { Ring } from '../ring/index.js';
import { splitByBytes, type BinStr, type Store } from '../store/index.js';
import { PendingRanges, type PendingSegment } from './pending-ranges.js';
import type { HandedArc, HandOffState, RangeKeys, RebalanceSink } from './sink.js';
import { buildLarge, mergeStates, newestState } from './states.js';

/** Keys remembered as already pulled, at most; past it the set restarts (a re-pull is safe). */
const MAX_CHECKED_KEYS = 1_000_000;
/**
 * Members that may ask on another's behalf in one chain (a chained pull or scan): a request that
 * already passed this many is answered from the store, or refused where it would be passed on.
 * A cycle of members each still receiving the key (A asks B asks C asks A) then ends at once,
 * instead of growing a call per round trip until a segment ends (each call has its own deadline).
 */
export const MAX_CHAIN = 2;

export interface ArrivalsDeps {
  readonly store: Store;
  readonly selfId: string;
  readonly sink: Pick<RebalanceSink, 'fetch' | 'scan'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** The ring position of a key (to filter a range scan's union). */
  readonly position: (key: BinStr) => number;
  /** Yields to the event loop between the parts of a large pulled key being built (buildLarge); none when absent. */
  readonly pause?: () => Promise<void>;
}

export interface ArrivalsOptions {
  /** `cluster.replicas`: preference lists have replicas + 1 members. */
  readonly replicas: number;
  /** `rebalance.pull_window`: a gained arc never handed off stops pulling after this long. */
  readonly windowMs: number;
  /** The most key bytes one FetchKeys asks for (under limits.max_message_bytes); 0 = no bound. */
  readonly maxFetchBytes?: number;
}

/**
 * The receiving side of a hand-off: no window serves "missing" for a key that exists. When this
 * node gains arcs (a join, a restart, another member's death or leave), a command for a key in
 * such an arc first pulls the key from the arc's previous owners (FetchKeys), merges what they
 * hold by version, then runs here; the previous owners forward that key's later commands here,
 * so both never accept writes for it. An arc stops pulling when its first live previous owner
 * reports it handed off, when no previous owner is left (left or forgotten), or after the window.
 *
 * A previous owner held dead is skipped. Where this node took the arc over (its owners dropped
 * out of the ring), it stays a source: across a partition it still holds the arc's keys. While
 * every previous owner of such an arc is held dead, its keys are refused here (UNAVAILABLE)
 * rather than started empty: an empty copy written here would be the newer one when the
 * partition heals and would replace the key's whole history (docs/consistency.md). That lasts
 * until one of them is alive again or they are forgotten (forget_dead_after). Where this node
 * joined, its copies took every write since; a dead source is dropped there, as before.
 *
 * A node asked for a key it is itself still to receive answers only once it has it (a chained
 * pull, see chainedStates): otherwise a member that joined after it would pull nothing and start
 * the key afresh without its acknowledged writes. Likewise a range it is asked to list for
 * another member's SCAN page (a chained scan, see chainedScan).
 */
export class Arrivals {
  readonly #deps: ArrivalsDeps;
  readonly #options: ArrivalsOptions;
  readonly #pending = new PendingRanges();
  /**
   * Parts of gained arcs a newer ring took from this node before they were handed off: a later
   * owner that sees this node as the arc's previous owner pulls from here, so they end as pending
   * ones do (handed, no source left, the window), not with the ring change.
   */
  readonly #lost = new PendingRanges();
  /** Keys pulled since the last gain: served here without asking again. */
  readonly #checked = new Set<BinStr>();
  /** Counts gains: a pull that started before the latest one does not mark its key checked. */
  #gains = 0;
  /** The latest ring: a pull answered after this node stopped owning its key merges nothing. */
  #ring: Ring | undefined;
  readonly #inflight = new Map<BinStr, Promise<void>>();
  /** Keys to fetch on the next tick, per member and chain length (see #ask). */
  readonly #batches = new Map<string, Map<BinStr, Deferred<HandOffState | undefined>>>();
  #pulls = 0;
  /** Members that left and then stopped answering: no longer sources (see #dropExited). */
  readonly #exited = new Set<string>();
  /** After a rejoin: every key owned here is pulled once more from its other owners (see regained). */
  #recheck: Recheck | undefined;

  constructor(deps: ArrivalsDeps, options: ArrivalsOptions) {
    this.#deps = deps;
    this.#options = options;
  }

  /**
   * Pending segments (arcs still arriving) and keys pulled so far, for status and metrics. Segments
   * past the pull window end here too: otherwise, with no ring change and no command on them, status
   * would show them arriving long after they stopped.
   */
  get stats(): { pendingArcs: number; pulls: number } {
    this.#expire();
    return { pendingArcs: this.#pending.size, pulls: this.#pulls };
  }

  /** Records the arcs gained from `before` to `after`. */
  onRingChange(before: Ring, after: Ring): void {
    this.#ring = after;
    this.#expire();
    const now = this.#deps.clock.monotonic();
    const n = this.#options.replicas + 1;
    const added = this.#pending.gain(before, after, this.#deps.selfId, n, now);
    if (added > 0) {
      // A key pulled under an earlier gain may have been written elsewhere since (this node
      // was held dead, or the arc went away and came back): it is pulled again.
      this.#gains++;
      this.#checked.clear();
    }
    this.#lost.dropOwned(after, this.#deps.selfId, n); // owned again: pulled as pending
    const lost = this.#pending.keepOwned(after, this.#deps.selfId, n);
    if (lost.length > 0) {
      this.#lost.add(lost);
      this.#settle();
    }
    if (added > 0) this.#deps.log.info({ arcs: added, pending: this.#pending.size }, 'arcs gained: pulling keys on a miss until handed off');
  }

  /**
   * A member left gracefully. The others learn of it before it has handed its keys over, so it
   * stays a source until it is forgotten or a pull finds it gone (see PendingRanges.markLeft):
   * dropping it here would serve its keys as missing, and start them afresh, until its hand-off
   * arrived (and a copy started afresh is newer: it would refuse the leaver's).
   */
  memberLeft(id: string): void {
    this.#pending.markLeft(id);
    this.#lost.markLeft(id);
  }

  /** A member was forgotten: it is nobody's source any more. */
  memberForgotten(id: string): void {
    this.#exited.delete(id);
    this.#lost.removeSource(id);
    if (this.#pending.removeSource(id) > 0) this.#settle();
  }

  /**
   * A member came back as a new process, empty ("a leave plus a join"): it holds none of what
   * this node still expects from it, so it is no source any more. Kept one, the new process's
   * `done` for an arc (it had nothing to send) ended the pull here before the arc's keys came
   * from the other owners: a write meanwhile started a key afresh, newer than its real copy
   * (found by a review: two crash-restarts 2.5 s apart; an APPEND replaced a value for good).
   */
  memberRestarted(id: string): void {
    this.#lost.removeSource(id);
    if (this.#pending.removeSource(id) > 0) this.#settle();
  }

  /** A member was declared dead: it is not asked; arcs taken over from it wait for it (see the class). */
  memberDead(id: string): void {
    this.#lost.markDead(id);
    if (this.#pending.markDead(id) > 0) this.#settle();
  }

  /** A member held dead is alive again: it is asked again. */
  memberAlive(id: string): void {
    this.#pending.markAlive(id);
    this.#lost.markAlive(id);
    this.#exited.delete(id);
  }

  /** `from` handed off everything it holds in `arcs` (its `done` message). */
  handed(from: string, arcs: readonly HandedArc[]): void {
    this.#lost.handed(from, arcs);
    if (this.#pending.handed(from, arcs) > 0) this.#settle();
  }

  /**
   * Back from being cut off, once its peers see it alive (node/ ClusterState's rejoin wait):
   * every key this node owns is pulled once more, from its other owners in `ring`, before it
   * is served, even one pulled already or in an arc handed off meanwhile: a peer that still
   * held this node dead may have written it since. Apart from the gained arcs' bookkeeping, so
   * hand-offs are not waited for twice; it ends after the pull window.
   */
  regained(ring: Ring): void {
    this.#ring = ring;
    this.#recheck = { untilMs: this.#deps.clock.monotonic() + this.#options.windowMs, pulled: new Set() };
  }

  /**
   * Whether the arc of `position` is still arriving here from a previous owner other than
   * `asker` (its first source): a dropper confirming that arc need not push, the source will.
   */
  expectsFromOther(position: number, asker: string): boolean {
    const seg = this.#live(this.#pending.find(position));
    if (seg === undefined) return false;
    const first = this.#pending.liveSources(seg)[0];
    // Members leaving all push what they hold (a copy twice merges once): none waits on another,
    // which may exit first.
    return first !== undefined && first !== asker && !this.#pending.isLeaving(first);
  }

  /** Whether any gained arc is still arriving here, or was lost to a newer ring before it arrived. */
  get arriving(): boolean {
    this.#expire();
    return this.#pending.size > 0 || this.#lost.size > 0;
  }

  /**
   * The parts of [from, to) still arriving here (pending, or lost to a newer ring before they were
   * handed off) that `target` was not itself a previous owner of, each with its sources not held
   * dead. Before this node reports [from, to) handed off to `target`, it fetches what those
   * sources hold there and hands it on (hand-off.ts collectArriving): otherwise `target` would
   * stop pulling on this node's word while the keys were still on their way here (two joins in
   * one gossip window: the first joiner reported its new arc done to the second with nothing of
   * it yet, and the second started the keys afresh). A target that was a previous owner holds
   * its own copies, and the cycle of a fresh cluster (each node still receiving from the others)
   * is skipped by the same rule.
   */
  stillArriving(from: number, to: number, target: string): ArrivingPart[] {
    if (this.#pending.size === 0 && this.#lost.size === 0) return [];
    const parts: ArrivingPart[] = [];
    for (const ranges of [this.#pending, this.#lost]) {
      for (const seg of ranges.overlapping(from, to)) {
        if (this.#live(seg) === undefined || seg.sources.includes(target)) continue;
        const sources = ranges.liveSources(seg).filter((id) => id !== this.#deps.selfId);
        if (sources.length > 0) parts.push({ from: seg.from, to: seg.to, sources });
      }
    }
    return parts;
  }

  /**
   * Undefined when `key` (at ring `position`) may be served from the local store now; else a
   * promise that settles once its previous owners were asked (rejects with UNAVAILABLE when
   * none answered). Concurrent calls for one key share the promise, so they run in order.
   */
  ready(key: BinStr, position: number): Promise<void> | undefined {
    if (this.#recheck !== undefined) {
      const again = this.#pullAgain(this.#recheck, key, position);
      if (again !== undefined) return again;
    }
    if (this.#pending.size === 0) return undefined;
    const inflight = this.#inflight.get(key);
    if (inflight !== undefined) return inflight;
    if (this.#checked.has(key)) return undefined;
    const seg = this.#live(this.#pending.find(position));
    if (seg === undefined) return undefined;
    const sources = this.#pending.liveSources(seg);
    if (sources.length === 0) return Promise.reject(heldDead(seg.sources));
    return this.#startPull(key, position, sources);
  }

  #pullAgain(recheck: Recheck, key: BinStr, position: number): Promise<void> | undefined {
    if (this.#deps.clock.monotonic() > recheck.untilMs) {
      this.#recheck = undefined;
      return undefined;
    }
    const inflight = this.#inflight.get(key);
    if (inflight !== undefined) return inflight;
    if (recheck.pulled.has(key)) return undefined;
    const self = this.#deps.selfId;
    const sources = this.#ring?.owners(position, this.#options.replicas + 1).filter((id) => id !== self) ?? [];
    if (sources.length === 0) return undefined;
    return this.#startPull(key, position, sources, () => {
      if (recheck.pulled.size >= MAX_CHECKED_KEYS) recheck.pulled.clear();
      recheck.pulled.add(key);
    });
  }

  /** A pull of `key` that later commands for it share until it settles (they run in order). */
  #startPull(key: BinStr, position: number, sources: readonly string[], pulled?: () => void): Promise<void> {
    const pull = this.#pull(key, position, sources)
      .then(pulled)
      .finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, pull);
    return pull;
  }

  /**
   * Before this node answers `asker`'s FetchKeys for `keys` (a chained pull): undefined when it
   * may answer from its store now; else a promise of, per key fetched on, the newest state its
   * own previous owners hold, to be answered where newer than the local copy (Departures.fetch).
   * A key in an arc still arriving here and owned here waits for this node's own pull. A key in
   * an arc this node lost to a newer ring before it was handed off is fetched from that arc's
   * previous owners and NOT merged here (this node does not own it). Rejects with a retryable
   * UNAVAILABLE when a previous owner refuses or none answers: the asker's command is refused
   * rather than run on less.
   */
  chainedStates(asker: string, keys: readonly BinStr[], chain = 0): Promise<ReadonlyMap<BinStr, HandOffState>> | undefined {
    if (this.#pending.size === 0 && this.#lost.size === 0) return undefined;
    const waits: Promise<HandOffState | undefined>[] = [];
    for (const key of keys) {
      const wait = this.#beforeAnswering(asker, key, this.#deps.position(key), chain);
      if (wait !== undefined) waits.push(wait);
    }
    if (waits.length === 0) return undefined;
    return Promise.all(waits).then(
      (states) => new Map(states.filter((st) => st !== undefined).map((st) => [st.key, st])),
      (err: unknown) => {
        throw chainRefused(this.#deps.selfId, err, 'a key asked for');
      },
    );
  }

  /** What answering `asker` for `key` waits for: this node's own pull, a chained fetch, or nothing. */
  #beforeAnswering(asker: string, key: BinStr, position: number, chain: number): Promise<HandOffState | undefined> | undefined {
    const pending = this.#live(this.#pending.find(position));
    const seg = pending ?? this.#live(this.#lost.find(position));
    if (seg === undefined) return undefined;
    const ranges = pending !== undefined ? this.#pending : this.#lost;
    const sources = ranges.liveSources(seg);
    if (sources.length === 0) return Promise.reject(heldDead(seg.sources));
    // Not where this node's own pull asks the asker: each would wait on the other. Then the
    // other previous owners are asked for the answer alone, as for a lost arc.
    if (pending !== undefined && this.#owns(position) && !sources.includes(asker)) return this.#afterOwnPull(asker, key, position, chain);
    const others = sources.filter((id) => id !== asker);
    if (others.length === 0) return undefined;
    if (chain >= MAX_CHAIN) return Promise.reject(chainTooLong(chain));
    return this.#gather(key, others, chain + 1).then((states) => states.reduce<HandOffState | undefined>(newestState, undefined));
  }

  /**
   * Once this node's own pull of `key` is over, the answer is the local copy; unless a newer ring
   * took the key from here meanwhile, so the pull merged nothing: then it is asked for as lost.
   */
  #afterOwnPull(asker: string, key: BinStr, position: number, chain: number): Promise<HandOffState | undefined> | undefined {
    return this.ready(key, position)?.then(() => (this.#owns(position) ? undefined : this.#beforeAnswering(asker, key, position, chain)));
  }

  /**
   * For a SCAN page over [from, to) led here: the keys the previous owners of arcs still
   * arriving hold there, complete below `next`; undefined when nothing in the range is pending.
   * Ask this BEFORE listing the local keys: a key the previous owner forgets after answering
   * was merged here before it was forgotten, so the local listing that follows has it.
   */
  scanRemote(from: number, to: number, args: readonly BinStr[]): Promise<RangeKeys> | undefined {
    if (this.#pending.size === 0) return undefined;
    const parts = this.#sourced(this.#pending, from, to);
    if (parts.length === 0) return undefined;
    return this.#scanSegments(parts, to, args, () => true, 0);
  }

  /**
   * Before this node answers `asker`'s ScanRange over [from, to) (a chained scan): the keys its
   * own previous owners hold in the parts of the range still arriving here or lost to a newer
   * ring before they were handed off, complete below `next`; undefined when no such part
   * overlaps. Listed from this store alone, a SCAN at a member that joined after this node would
   * miss a key not yet handed here. The asker is not asked back (each would wait on the other);
   * refusals and unreachable owners fail it as they fail scanRemote, as a retryable UNAVAILABLE.
   * Ask this BEFORE listing the local keys, for scanRemote's reason.
   */
  chainedScan(asker: string, from: number, to: number, args: readonly BinStr[], chain = 0): Promise<RangeKeys> | undefined {
    if (this.#pending.size === 0 && this.#lost.size === 0) return undefined;
    const parts = [...this.#sourced(this.#pending, from, to), ...this.#sourced(this.#lost, from, to)];
    if (parts.length === 0) return undefined;
    const asks = (id: string): boolean => id !== asker;
    if (chain >= MAX_CHAIN && parts.some((p) => p.sources.some(asks))) return Promise.reject(chainRefused(this.#deps.selfId, chainTooLong(chain), 'keys of a range asked for'));
    return this.#scanSegments(parts, to, args, asks, chain + 1).catch((err: unknown) => {
      throw chainRefused(this.#deps.selfId, err, 'keys of a range asked for');
    });
  }

  /** The live segments of `ranges` overlapping [from, to), cut to it, each with the members to ask. */
  #sourced(ranges: PendingRanges, from: number, to: number): SourcedSegment[] {
    return ranges
      .overlapping(from, to)
      .filter((seg) => this.#live(seg) !== undefined)
      .map((seg) => ({ seg, sources: ranges.liveSources(seg) }));
  }

  /**
   * The keys the sources that `ask` accepts hold in each segment, complete below the returned
   * `next` (at most `to`). A segment whose sources are all held dead refuses the whole listing; one
   * whose sources (other than those `ask` skips) all left and exited adds nothing.
   */
  async #scanSegments(parts: readonly SourcedSegment[], to: number, args: readonly BinStr[], ask: (id: string) => boolean, chain: number): Promise<RangeKeys> {
    const { sink, position } = this.#deps;
    const pages = await Promise.all(
      parts.map(async ({ seg, sources: live }) => {
        if (live.length === 0) throw heldDead(seg.sources);
        const sources = live.filter(ask);
        if (sources.length === 0) return { keys: [], next: seg.to };
        const answers = await Promise.allSettled(sources.map((id) => sink.scan(id, seg.from, seg.to, args, chain)));
        const ok = answers.filter((a): a is PromiseFulfilledResult<RangeKeys> => a.status === 'fulfilled');
        if (ok.length === 0) {
          // Every source left and has exited since: nothing is arriving from them any more.
          if (this.#dropExited(sources, answers)) return { keys: [], next: seg.to };
          throw unreachable(sources);
        }
        // Complete below the smallest next any source reported.
        return { keys: ok.flatMap((a) => a.value.keys), next: Math.min(...ok.map((a) => a.value.next)) };
      }),
    );
    // A segment listed to its end limits nothing; one cut short limits the page to its cut.
    let next = to;
    pages.forEach((p, i) => {
      if (p.next < parts[i]!.seg.to && p.next < next) next = p.next;
    });
    const keys = pages.flatMap((p) => p.keys).filter((k) => position(k) < next);
    return { keys, next };
  }

  async #pull(key: BinStr, position: number, sources: readonly string[]): Promise<void> {
    const gains = this.#gains;
    const states = await this.#gather(key, sources);
    const built = this.#deps.pause === undefined ? [] : await buildLarge(states, this.#deps.pause);
    // The ring moved on while the owners answered (or the key was built) and this node no
    // longer owns the key: a copy merged now would stay here after the hand-off that dropped
    // the arc. The command that asked routes again and goes to the key's owner.
    if (!this.#owns(position)) return;
    mergeStates(this.#deps.store, states, built);
    this.#pulls++;
    if (gains !== this.#gains) return; // asked before the latest gain: the next call asks again
    if (this.#checked.size >= MAX_CHECKED_KEYS) this.#checked.clear();
    this.#checked.add(key);
  }

  /**
   * What `sources` hold of `key` (asked in the tick's batch per source). Rejects when a source
   * refuses, or none answers while one may still be there; resolves empty when all have exited.
   */
  async #gather(key: BinStr, sources: readonly string[], chain = 0): Promise<HandOffState[]> {
    const answers = await Promise.allSettled(sources.map((id) => this.#fetch(id, key, chain)));
    let answered = 0;
    const states: HandOffState[] = [];
    for (const a of answers) {
      // A source that answered with a refusal (not a transport failure) may hold the newest
      // copy and does not yet hand it over: the command waits (retryable) rather than run on less.
      if (a.status === 'rejected' && (a.reason as { transport?: boolean })?.transport === false) throw a.reason;
      if (a.status !== 'fulfilled') continue;
      answered++;
      if (a.value !== undefined) states.push(a.value);
    }
    if (answered === 0) {
      // Every source left and has exited since: the key is served from what is here.
      if (this.#dropExited(sources, answers)) return [];
      throw unreachable(sources);
    }
    this.#dropExited(sources, answers);
    return states;
  }

  /** Fetches one key from `member`, batching every key asked of it in the same tick at that chain length. */
  #fetch(member: string, key: BinStr, chain: number): Promise<HandOffState | undefined> {
    return this.#ask(member, key, undefined, chain).promise;
  }

  /** Adds `key` to the next batch asked of `member` at `chain`, answering `answer` (or a new one). */
  #ask(member: string, key: BinStr, answer: Deferred<HandOffState | undefined> | undefined, chain: number): Deferred<HandOffState | undefined> {
    const batchKey = `${chain}:${member}`;
    let batch = this.#batches.get(batchKey);
    if (batch === undefined) {
      batch = new Map();
      this.#batches.set(batchKey, batch);
      setImmediate(() => this.#flush(batchKey, member, chain));
    }
    let d = batch.get(key);
    if (d === undefined) {
      d = answer ?? deferred();
      batch.set(key, d);
    } else if (answer !== undefined) {
      void d.promise.then(answer.resolve, answer.reject);
    }
    return d;
  }

  #flush(batchKey: string, member: string, chain: number): void {
    const batch = this.#batches.get(batchKey);
    this.#batches.delete(batchKey);
    if (batch === undefined) return;
    const keys = [...batch.keys()];
    // Keys asked of one member in one tick may be long: they go in several requests if need be.
    const runs = (this.#options.maxFetchBytes ?? 0) > 0 ? splitByBytes(keys, (k) => k.length + 8, this.#options.maxFetchBytes!) : [{ items: keys }];
    for (const run of runs) this.#fetchRun(member, run.items, batch, chain);
  }

  #fetchRun(member: string, keys: readonly BinStr[], batch: ReadonlyMap<BinStr, Deferred<HandOffState | undefined>>, chain: number): void {
    this.#deps.sink.fetch(member, keys, chain).then(
      ({ states, deferred: later }) => {
        // Keys the member holds but left out of a full answer are asked again, in a later one.
        // An answer with no state at all would never end: a source always sends its first.
        const again = new Set(later);
        const byKey = new Map(states.map((s) => [s.key, s]));
        for (const key of keys) {
          const d = batch.get(key)!;
          if (!again.has(key) || byKey.has(key)) d.resolve(byKey.get(key));
          else if (states.length > 0) this.#ask(member, key, d, chain);
          else d.reject(Object.assign(new GokvError('INTERNAL', `INTERNAL ${member} deferred every key of a pull`), { transport: false }));
        }
      },
      (err: unknown) => {
        for (const key of keys) batch.get(key)!.reject(err);
      },
    );
  }

  /**
   * Stops asking the sources that left and could not be reached (their connection failed): a
   * member leaving answers until its hand-off is over, then exits. A call that only ran out of
   * time (a busy or cut-off leaver, which may still hold keys it has not handed over) keeps the
   * source: serving without it could read a key as missing, and a write would then start it
   * afresh. Returns whether every source was one of them (so none is left to ask).
   */
  #dropExited(sources: readonly string[], answers: readonly PromiseSettledResult<unknown>[]): boolean {
    let exited = 0;
    answers.forEach((a, i) => {
      const id = sources[i]!;
      if (a.status !== 'rejected' || (a.reason as { unreachable?: boolean })?.unreachable !== true) return;
      // A concurrent pull may have found it gone first.
      if (this.#exited.has(id)) exited++;
      if (!this.#pending.isLeaving(id)) return;
      exited++;
      this.#exited.add(id);
      this.#deps.log.info({ peer: id }, 'a member that left no longer answers: no longer pulling from it');
      this.#lost.removeSource(id);
      if (this.#pending.removeSource(id) > 0) this.#settle();
    });
    return exited === sources.length;
  }

  #owns(position: number): boolean {
    return this.#ring === undefined || this.#ring.owners(position, this.#options.replicas + 1).includes(this.#deps.selfId);
  }

  /** The segment (pending or lost), unless older than the window (then it ends, logged). */
  #live(seg: PendingSegment | undefined): PendingSegment | undefined {
    if (seg === undefined) return undefined;
    if (this.#deps.clock.monotonic() - seg.sinceMs <= this.#options.windowMs) return seg;
    this.#expire();
    return undefined;
  }

  #expire(): void {
    const cutoff = this.#deps.clock.monotonic() - this.#options.windowMs;
    this.#lost.expire(cutoff);
    const gone = this.#pending.expire(cutoff);
    if (gone.length > 0) {
      this.#deps.log.warn({ arcs: gone.length, windowMs: this.#options.windowMs }, 'gained arcs never reported handed off: no longer pulling them');
      this.#settle();
    }
  }

  #settle(): void {
    if (this.#pending.size === 0) {
      this.#checked.clear();
      this.#deps.log.info({ pulls: this.#pulls }, 'every gained arc handed off');
    }
  }
}

function heldDead(sources: readonly string[]): GokvError {
  return new GokvError(
    'UNAVAILABLE',
    `UNAVAILABLE every previous owner of this key (${sources.join(', ')}) is held dead and may still hold it: not served here until one is back or they are forgotten; retry`,
  );
}

function unreachable(sources: readonly string[]): GokvError {
  return new GokvError('UNAVAILABLE', `UNAVAILABLE this key is still being handed over and none of its previous owners (${sources.join(', ')}) answered; retry`);
}

/** A refusal (retryable) where passing a request on would make its chain longer than MAX_CHAIN. */
function chainTooLong(chain: number): GokvError {
  return Object.assign(unavailable(`asked on another member's behalf ${chain} times already (a cycle, or ring changes overlapping): not passed on; retry`), { transport: false });
}

/** `what`: what this node is still receiving ("a key asked for", "keys of a range asked for"). */
function chainRefused(self: string, err: unknown, what: string): GokvError {
  const reason = err instanceof Error ? err.message : String(err);
  return unavailable(`${self} is itself still receiving ${what} and could not get it from its previous owners (${reason}); retry`);
}

/** A part of a range still arriving here, and the members to fetch it from (Arrivals.stillArriving). */
export interface ArrivingPart {
  readonly from: number;
  readonly to: number;
  readonly sources: readonly string[];
}

/** A pending or lost segment to list, and its sources not held dead (in asking order). */
interface SourcedSegment {
  readonly seg: PendingSegment;
  readonly sources: readonly string[];
}

/** Keys pulled once more since a rejoin, until `untilMs`. */
interface Recheck {
  readonly untilMs: number;
  readonly pulled: Set<BinStr>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A fetch failure is handled by #pull through allSettled; never unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
